"""A stored file as an HTTP response: its stored (sniffed) content type, a Content-Disposition with its name,
never sniffed again by the browser, never cached by a proxy."""
from django.http import FileResponse, Http404


def file_response(attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type or "application/octet-stream",
                            filename=attachment.name, as_attachment=False)
    if attachment.size is not None:
        response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
