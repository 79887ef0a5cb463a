"""Writes to the core: loading regions and stakeholders, demo users, the audit trail."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from kotan.models import AuditEntry, Region, Stakeholder, User

DATA_DIR = Path(__file__).resolve().parent / "data"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields' values, for `field_changes` before and after an edit."""
    return {name: getattr(instance, name) for name in fields}


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs, as JSON-safe values."""
    return {
        name: [_jsonable(before.get(name)), _jsonable(after.get(name))]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    actor: User | None,
    city: Region | None,
    obj: models.Model,
    action: str,
    changes: Mapping[str, list[Any]] | None = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        city=city,
        actor=actor,
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=dict(changes or {}),
        reason=reason,
    )


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


_LEVELS = {level.value for level in Region.Level}


def _city_of(level: str, parent: Region | None) -> Region | None:
    """The kab/kota a region belongs to; a kab/kota is set to itself once it exists."""
    if level in (Region.Level.PROVINSI, Region.Level.KOTA) or parent is None:
        return None
    return parent if parent.level == Region.Level.KOTA else parent.city


@transaction.atomic
def regions_load_csv(*, path: Path) -> LoadResult:
    """Create or update regions from a Kemendagri CSV (kode, nama, tingkat, kode_induk, luas_km2).

    Rows are keyed by code, so loading the same file twice changes nothing.
    """
    created = updated = 0
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Parents come before children when sorted by code length, whatever the file order.
    for row in sorted(rows, key=lambda r: (len(r["kode"]), r["kode"])):
        level = row["tingkat"].strip()
        if level not in _LEVELS:
            raise ValueError(f"Tingkat wilayah tidak dikenal: {level!r} (kode {row['kode']})")
        parent = Region.objects.get(code=row["kode_induk"]) if row["kode_induk"] else None
        area = Decimal(row["luas_km2"]) if row.get("luas_km2") else None
        defaults: dict[str, Any] = {
            "name": row["nama"].strip(),
            "level": level,
            "parent": parent,
            "area_km2": area,
        }
        if level != Region.Level.KOTA:
            defaults["city"] = _city_of(level, parent)
        region, was_created = Region.objects.get_or_create(
            code=row["kode"].strip(), defaults=defaults
        )
        if was_created:
            created += 1
        elif _apply(region, defaults):
            updated += 1
        if level == Region.Level.KOTA and region.city_id != region.pk:
            region.city = region
            region.save(update_fields=["city"])
    return LoadResult(created=created, updated=updated)


def _apply(instance: models.Model, values: Mapping[str, Any]) -> bool:
    """Set changed fields on `instance` and save them; True when anything changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save(update_fields=changed)
    return bool(changed)


@transaction.atomic
def stakeholders_load_csv(*, path: Path, city: Region) -> LoadResult:
    """Create or update a city's stakeholders from a CSV
    (kode, nama, singkatan, jenis, keterangan)."""
    created = updated = 0
    kinds = {kind.value for kind in Stakeholder.Kind}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kind = row["jenis"].strip()
            if kind not in kinds:
                raise ValueError(f"Jenis pemangku kepentingan tidak dikenal: {kind!r}")
            defaults = {
                "name": row["nama"].strip(),
                "short_name": row["singkatan"].strip(),
                "kind": kind,
                "notes": row.get("keterangan", "").strip(),
            }
            stakeholder, was_created = Stakeholder.objects.get_or_create(
                city=city, code=row["kode"].strip().lower(), defaults=defaults
            )
            if was_created:
                created += 1
            elif _apply(stakeholder, defaults):
                updated += 1
    return LoadResult(created=created, updated=updated)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    stakeholder_code: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", User.Role.ADMIN, "Admin BNN Kota (demo)"),
    DemoUser("operator", User.Role.OPERATOR, "Operator BNN Kota (demo)"),
    DemoUser("verifikator", User.Role.VERIFIKATOR, "Kasi P2M BNN Kota (demo)"),
    DemoUser("pimpinan", User.Role.PIMPINAN, "Wakil Wali Kota (demo)"),
    DemoUser("kesbangpol", User.Role.PEMANGKU, "Petugas Kesbangpol (demo)", "kesbangpol"),
    DemoUser("dp3a", User.Role.PEMANGKU, "Petugas DP3A (demo)", "dp3a"),
)


def demo_password(username: str) -> str:
    # Predictable on purpose: demo accounts exist only for local trials and are labelled so.
    return f"demo-{username}-kotan"


@transaction.atomic
def demo_users_ensure(*, city: Region, users: Iterable[DemoUser] = DEMO_USERS) -> list[DemoUser]:
    """Create the demo users that do not exist yet; return those created."""
    created: list[DemoUser] = []
    for demo in users:
        if User.objects.filter(username=demo.username).exists():
            continue
        first, _, last = demo.full_name.partition(" ")
        user = User(
            username=demo.username,
            first_name=first,
            last_name=last,
            email=f"{demo.username}@demo.kotan.invalid",
            city=city,
            role=demo.role,
            is_staff=demo.role == User.Role.ADMIN,
            stakeholder=(
                Stakeholder.objects.get(city=city, code=demo.stakeholder_code)
                if demo.stakeholder_code
                else None
            ),
        )
        user.set_password(demo_password(demo.username))
        user.save()
        created.append(demo)
    return created
