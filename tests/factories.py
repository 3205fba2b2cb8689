"""factory_boy factories for the register and the desk."""

from __future__ import annotations

from typing import Any

import factory

from propdesk.community.models import (
    Building,
    Community,
    Company,
    Household,
    Membership,
    Resident,
    Team,
    TeamMember,
    Unit,
    User,
)
from propdesk.desk.models import ServiceItem


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"物业公司{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"小区{n}")
    code = factory.Sequence(lambda n: f"c{n}")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    community = factory.SubFactory(CommunityFactory)
    number = factory.Sequence(lambda n: str(n + 1))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = "1"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    unit = factory.SubFactory(UnitFactory)
    community = factory.SelfAttribute("unit.building.community")
    # Rooms xx61–xx64: never a room the tests name themselves (1502, 1601 …), whatever the order.
    room = factory.Sequence(lambda n: f"{(n % 30) + 1:02d}{(n // 30) % 4 + 61:02d}")
    code = factory.LazyAttribute(lambda o: f"{o.unit.building.number}-{o.unit.number}-{o.room}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"业主{n}")
    relation = "owner"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-123456!")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """roles=[(community, "receptionist"), …]"""
        for community, role in extracted or []:
            Membership.objects.create(user=self, community=community, role=role)
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    kind = "repair"
    name = factory.Sequence(lambda n: f"维修班{n}")

    @factory.post_generation
    def member_list(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for user in extracted or []:
            TeamMember.objects.create(team=self, user=user)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"WX-{n:03d}")
    name = "更换水龙头"
    kind = "repair"
    team_kind = "repair"
    steps = ["上门确认", "关闭总阀", "更换", "试水"]
    time_standard_minutes = 60
    fee = "30.00"
