from django.urls import path

from . import codes
from .views import bulk, desk, messages, overdue, rating, slips, tracking_book

codes.register()

urlpatterns = [
    path("ban-lam-viec/", desk.desk, name="desk"),
    path("ho-so/", desk.dossier_list, name="list"),
    path("ho-so/tiep-nhan/", desk.intake, name="intake"),
    path("ho-so/cho-tiep-nhan/xu-ly/", bulk.dossier_bulk, name="bulk"),
    path("ho-so/<dossier_code:code>/", desk.dossier_detail, name="detail"),
    path("ho-so/<dossier_code:code>/thao-tac/<str:action>/", desk.dossier_action, name="action"),
    path("tra-cuu/", desk.public_lookup, name="public_lookup"),
    path("tra-cuu/danh-gia/", rating.public_rate, name="public_rate"),
    path("danh-gia/<str:token>/", rating.rating_link, name="rating_link"),
    path("ho-so/<dossier_code:code>/danh-gia/", rating.rate_at_desk, name="rate"),
    path("ho-so/<dossier_code:code>/thong-bao/<int:pk>/gui-lai/", messages.retry_message, name="retry_message"),
    path("ho-so/<dossier_code:code>/giay-tiep-nhan/", slips.receipt, name="receipt"),
    path("ho-so/<dossier_code:code>/yeu-cau-bo-sung/<int:number>/", slips.supplement_slip, name="supplement_slip"),
    path("ho-so/<dossier_code:code>/phieu-tu-choi/", slips.refusal_slip, name="refusal_slip"),
    path("ho-so/<dossier_code:code>/phieu-kiem-soat/", slips.control_slip, name="control_slip"),
    path("ho-so/<dossier_code:code>/phieu-xin-loi/<int:pk>/", slips.apology_slip, name="apology_slip"),
    path("phieu-huong-dan/<path:number>/", slips.guidance_slip, name="guidance_slip"),
    path("so-theo-doi-ho-so/", tracking_book.tracking_book, name="tracking_book"),
    path("ho-so-qua-han/", overdue.overdue_desk, name="overdue"),
    path("ho-so/<dossier_code:code>/xin-loi/", overdue.apology_draft, name="apology_draft"),
    path("ho-so/<dossier_code:code>/xin-loi/<int:pk>/ky/", overdue.apology_sign, name="apology_sign"),
]
