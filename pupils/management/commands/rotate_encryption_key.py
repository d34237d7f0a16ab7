"""Re-encrypt every encrypted field under the first FIELD_ENCRYPTION_KEYS key.

Safe to interrupt and run again: rows are done in small batches, each in its
own transaction, and a row already under the first key is left alone, so a
second run only finishes what the first did not. Old keys must stay in
FIELD_ENCRYPTION_KEYS until a run has finished (see docs/operations.md).
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from pupils import fields


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, fields.EncryptedTextField)
    ]


def rotate_field(model, field, *, batch_size: int) -> int:
    """Re-encrypt one field of every row; the number of rows changed."""
    changed, last_pk = 0, None
    while True:
        with transaction.atomic():
            rows = model._default_manager.select_for_update().order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            # The stored text as it is in the database, not decrypted.
            batch = list(
                rows.annotate(stored=Cast(field.attname, models.TextField())).values_list(
                    "pk", "stored"
                )[:batch_size]
            )
            rotated = {
                pk: fields.rotate(stored)
                for pk, stored in batch
                if stored is not None and not fields.is_current(stored)
            }
            if rotated:
                # One UPDATE per batch; Value() as a TextField writes the
                # ciphertext as it is (the field itself would encrypt again).
                new_value = models.Case(
                    *(
                        models.When(pk=pk, then=models.Value(value, models.TextField()))
                        for pk, value in rotated.items()
                    ),
                    output_field=models.TextField(),
                )
                model._default_manager.filter(pk__in=rotated).update(**{field.attname: new_value})
            changed += len(rotated)
        if len(batch) < batch_size:
            return changed
        last_pk = batch[-1][0]


class Command(BaseCommand):
    help = "Re-encrypts every encrypted field under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for model, field in encrypted_fields():
            try:
                changed = rotate_field(model, field, batch_size=batch_size)
            except ValueError as exc:
                raise CommandError(
                    f"{model._meta.label}.{field.name}: {exc} Is an old key missing from "
                    "FIELD_ENCRYPTION_KEYS? Nothing after this batch was changed."
                ) from exc
            total += changed
            self.stdout.write(f"{model._meta.label}.{field.name}: {changed} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} values now under the first key."))
