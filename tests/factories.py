"""factory_boy factories shared by every test module."""

from datetime import timedelta

import factory
import shapely
from django.utils import timezone

from samtrygg.accounts.models import Organization, Role, User
from samtrygg.areas.models import Area, Place
from samtrygg.categories.models import Category
from samtrygg.reports.models import Report

# Central Uppsala in SWEREF 99 TM (EPSG:3006).
CENTRE_X, CENTRE_Y = 647_800.0, 6_638_600.0
PASSWORD = "test-password-123"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organization.Kind.MUNICIPAL_DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.REPORTER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            if obj.role == Role.ADMIN:
                obj.is_staff = obj.is_superuser = True
            obj.save()


def square(cx: float, cy: float, half: float):
    return shapely.box(cx - half, cy - half, cx + half, cy + half)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area{n}")
    name = factory.Sequence(lambda n: f"Område {n}")
    kind = "district"
    population = 10_000

    @classmethod
    def _create(cls, model_class, *args, geometry=None, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.set_geometry(geometry if geometry is not None else square(CENTRE_X, CENTRE_Y, 1000))
        obj.save()
        return obj


class PlaceFactory(AreaFactory):
    class Meta:
        model = Place
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"place{n}")
    name = factory.Sequence(lambda n: f"Park {n}")
    kind = "park"
    population = None

    @classmethod
    def _create(cls, model_class, *args, geometry=None, population=None, **kwargs):
        return super()._create(model_class, *args, geometry=geometry if geometry is not None
                               else square(CENTRE_X, CENTRE_Y, 100), **kwargs)


def category(code: str = "klotter") -> Category:
    return Category.objects.get(code=code)


def make_report(user=None, *, category_code="klotter", x=CENTRE_X, y=CENTRE_Y, when=None, **fields) -> Report:
    """A report created through the same service the web form uses (areas assigned, audit written)."""
    from samtrygg.reports.services import create_report

    user = user or UserFactory()
    return create_report(
        user,
        category=category(category_code),
        occurred_at=when or timezone.now() - timedelta(hours=1),
        x=x,
        y=y,
        **fields,
    )
