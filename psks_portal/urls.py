from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from psks_portal.views import account, home, transfers, users, wilayah

admin.site.site_header = _("Administrasi Portal PSKS")
admin.site.site_title = _("Portal PSKS")

urlpatterns = [
    path("", home.home, name="home"),
    path("masuk/", account.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/", account.profile, name="profile"),
    path("akun/kata-sandi/", account.PasswordChangeView.as_view(), name="password_change"),
    path("wilayah/", wilayah.wilayah_index, name="wilayah_index"),
    path("wilayah/pilihan/", wilayah.wilayah_options, name="wilayah_options"),
    path("wilayah/tentang-data/", wilayah.wilayah_about, name="wilayah_about"),
    path("wilayah/<str:code>/", wilayah.wilayah_detail, name="wilayah_detail"),
    path("pindah/", transfers.transfer_list, name="transfer_list"),
    path("pindah/<int:pk>/", transfers.transfer_decide, name="transfer_decide"),
    path("pengguna/", users.user_list, name="user_list"),
    path("pengguna/tambah/", users.user_create, name="user_create"),
    path("pengguna/<int:pk>/ubah/", users.user_edit, name="user_edit"),
    path("registri/", include("registry.urls")),
    path("pmks/tabel/", include("reporting.legacy_urls")),  # the PMKS table moved to /laporan/pmks/
    path("pmks/", include("pmks.urls")),
    path("laporan/", include("reporting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
