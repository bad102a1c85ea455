"""``notesbase backup PATH`` and ``notesbase restore PATH``: a consistent copy
of the database while the app runs, with a notes export; and bringing it back.

A backup is a new folder::

    manifest.json        format, time, app version, schema revision, row counts, checksums
    database.sqlite3     SQLite: the online backup API's copy (one self-contained file)
    database.pgdump      PostgreSQL: ``pg_dump --format=custom``
    notes/SLUG-N-notes.md   every meeting in the notes file format (raw: facilitators only)

The copy, the counts and the notes export are one snapshot: on SQLite the
counts and the export are read from the copy; on PostgreSQL ``pg_dump`` runs
on a snapshot exported by the transaction the export reads in. The folder is
written under a temporary name and renamed when complete, so a failed backup
leaves nothing that looks like a backup. It holds password hashes and
confidential notes: every file and folder in it is created owner-only
(``private_files``), whatever the umask.

Restoring checks everything before it changes anything (manifest, schema
revision, engine, checksums, an empty database or ``--yes``), then replaces
the database and rebuilds the search index from it. On SQLite the file is
swapped in with a rename: stop the app first (a running app is refused when
it holds the database, but one that starts writing meanwhile is not seen).

The folder's format and the tools both directions use are in ``folder``;
``writing`` makes a backup, ``restoring`` brings one back."""
