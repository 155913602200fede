from django.conf import settings


def parley(request):
    return {
        "parley_guests": settings.PARLEY_GUESTS,
        "parley_open_signup": settings.PARLEY_OPEN_SIGNUP,
    }
