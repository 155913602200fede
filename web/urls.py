"""The pages: lobby, rooms, accounts (docs/web.md)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .csp import csp
from .views import accounts, dms, lobby, profiles, rooms
from .views.emoji import emoji_list
from .views.favicon import favicon

app_name = "web"

login = auth_views.LoginView.as_view(
    template_name="web/login.html", redirect_authenticated_user=True
)

urlpatterns = [
    path("", lobby.lobby, name="lobby"),
    path("chat/", lobby.lobby, name="chat_index"),  # the Channels tutorial's index
    path("rooms/new/", lobby.room_new, name="room_new"),
    path("chat/<str:slug>/", rooms.room, name="room"),
    path("chat/<str:slug>/invite/", rooms.invite, name="room_invite"),
    path("chat/<str:slug>/leave/", rooms.leave, name="room_leave"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    path("dm/<str:username>/", dms.dm, name="dm"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", csp(login), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("favicon.ico", favicon, name="favicon"),
    path("emoji.json", emoji_list, name="emoji"),
]
