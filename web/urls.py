"""The pages: lobby, rooms, accounts, settings (docs/web.md)."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from .csp import csp
from .forms import LoginForm
from .views import accounts, avatars, dms, files, lobby, profiles, rooms, search, settings
from .views.emoji import emoji_list
from .views.favicon import favicon

app_name = "web"

login = auth_views.LoginView.as_view(
    template_name="web/login.html", redirect_authenticated_user=True, authentication_form=LoginForm
)

urlpatterns = [
    path("", lobby.lobby, name="lobby"),
    path("chat/", lobby.lobby, name="chat_index"),  # the Channels tutorial's index
    path("rooms/new/", lobby.room_new, name="room_new"),
    path("chat/<str:slug>/", rooms.room, name="room"),
    path("chat/<str:slug>/invite/", rooms.invite, name="room_invite"),
    path("chat/<str:slug>/leave/", rooms.leave, name="room_leave"),
    path("chat/<str:slug>/settings/", rooms.room_settings, name="room_settings"),
    path("chat/<str:slug>/notify/", rooms.notify, name="room_notify"),
    path("chat/<str:slug>/remove/", rooms.remove, name="room_remove"),
    path("chat/<str:slug>/owner/", rooms.owner, name="room_owner"),
    path("chat/<str:slug>/archive/", rooms.archive, name="room_archive"),
    path("chat/<str:slug>/unarchive/", rooms.unarchive, name="room_unarchive"),
    path("search/", search.search, name="search"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    # accounts.payloads.avatar_url writes these addresses.
    path("avatars/<int:user_id>/<str:file>", avatars.avatar, name="avatar"),
    path("settings/", RedirectView.as_view(pattern_name="web:settings_profile"), name="settings"),
    path("settings/profile/", settings.profile, name="settings_profile"),
    path("settings/profile/picture/", settings.picture_upload, name="settings_picture"),
    path(
        "settings/profile/picture/remove/",
        settings.picture_remove,
        name="settings_picture_remove",
    ),
    path("settings/password/", settings.password, name="settings_password"),
    path("settings/sessions/", settings.sessions, name="settings_sessions"),
    path(
        "settings/sessions/<int:session_id>/end/", settings.session_end, name="settings_session_end"
    ),
    path("settings/sessions/others/end/", settings.logout_others, name="settings_logout_others"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        settings.token_revoke,
        name="settings_token_revoke",
    ),
    path("dm/<str:username>/", dms.dm, name="dm"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", csp(login), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("files/<int:attachment_id>/thumbnail/", files.file_thumbnail, name="file_thumbnail"),
    path("files/<int:attachment_id>/<str:name>", files.file_download, name="file"),
    path("files/<int:attachment_id>/", files.file_download, name="file_unnamed"),
    path("favicon.ico", favicon, name="favicon"),
    path("emoji.json", emoji_list, name="emoji"),
]
