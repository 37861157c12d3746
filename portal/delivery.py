"""The "portal" sender of the outbox (notifications.delivery): pushes back to the national portal.

* "dossier.progress": `CapNhatTienDoHoSoMC` with data=[progress], then `DongBoHoSoMC` (isUpdating "True") with
  the dossier object built from the Dossier as it stands;
* "pakn.answer": `DongBoKetQuaPAKN` with data=[answer].
A per-item error in the reply (`error_code` ≠ 0) fails that item only: the sender raises, the outbox records
the attempt and retries it with back-off ("every push is retried with back-off until the portal accepts it").
"""
from django.core.cache import cache

from notifications.delivery import sender

from . import contract
from .client import PortalClient, PortalError
from .payload import dossier_object

PROGRESS_DONE_TTL = 7 * 24 * 3600


def check_item(results: list, key: str, code: str, service: str):
    """The reply's line for our item must say success; otherwise that item failed."""
    lines = [r for r in results if isinstance(r, dict) and r.get(key) == code]
    if not lines and len(results) == 1 and isinstance(results[0], dict) and key not in results[0]:
        lines = results
    if not lines:
        raise PortalError(f"Cổng DVCQG không xác nhận {code} ({service}).")
    line = lines[0]
    if not contract.is_success(line.get("error_code", "")):
        raise PortalError(f"Cổng DVCQG chưa nhận {code} ({service}): {line.get('message') or 'không rõ lý do'} "
                          f"(mã {line.get('error_code')}).", code=str(line.get("error_code")))


def push_progress(message, client) -> str:
    from cases.models import Dossier

    madonvi, progress = message.payload["madonvi"], message.payload["progress"]
    code = progress["MaHoSo"]
    done_key = f"portal:progress-done:{message.pk}"
    if not cache.get(done_key):  # a retry after DongBoHoSoMC failed does not send the progress twice
        check_item(client.update_progress(madonvi, [progress]), "MaHoSo", code, contract.UPDATE_PROGRESS)
        cache.set(done_key, 1, PROGRESS_DONE_TTL)
    dossier = Dossier.objects.select_related("procedure", "office").get(code=code)
    check_item(client.sync_dossiers(madonvi, [dossier_object(dossier)], updating=True), "MaHoSo", code,
               contract.SYNC_DOSSIERS)
    cache.delete(done_key)
    return f"{code}: {contract.UPDATE_PROGRESS} + {contract.SYNC_DOSSIERS} OK"


def push_answer(message, client) -> str:
    madonvi, answer = message.payload["madonvi"], message.payload["answer"]
    check_item(client.push_pakn_answers(madonvi, [answer]), "MaPAKN", answer["MaPAKN"], contract.PAKN_ANSWERS)
    return f"{answer['MaPAKN']}: {contract.PAKN_ANSWERS} OK"


HANDLERS = {"dossier.progress": push_progress, "pakn.answer": push_answer}


@sender("portal", task="portal.tasks.push_message")  # queue `sync` (CELERY_TASK_ROUTES)
def send_to_portal(message):
    handler = HANDLERS.get(message.kind)
    if handler is None:
        raise PortalError(f"Không rõ loại dữ liệu gửi lên Cổng DVCQG: {message.kind}.")
    return handler(message, PortalClient())
