"""What every JSON answer shares, below the API and the features that answer
in JSON themselves (search's ``GET /api/v1/search``, the notes editor's
names check, publishing's write-up routes):

- ``errors``: ``ApiError`` and the one shape of an error,
  ``{"error": {"status", "message", "fields"?}}``;
- ``callers``: the member a request's API token acts as, and the
  refusals for anyone else;
- ``payload``: reading a JSON body strictly, and how a time is written;
- ``lookup``: the series and the meeting an address names, or a 404 in
  the API's shape.

The API's blueprint and its hooks (``notesbase.api``) use these; nothing
here imports a feature's pages or the API."""
