from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from propdesk.community.backoffice import BackOfficeAdmin, ReadOnlyAdmin
from propdesk.concierge.models import CartItem, ConciergeRequest, Loan, LoanReminder


class CartItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CartItem
        fields = ["community", "name", "stock", "loan_hours", "note", "active"]

    def clean_stock(self) -> int:
        stock: int = self.cleaned_data["stock"]
        item = self.instance
        if item.pk is not None:
            out = item.stock - item.available  # lent or reserved now
            if stock < out:
                raise forms.ValidationError(
                    _("%(out)d are lent out now: the stock cannot be less.") % {"out": out}
                )
        return stock


@admin.register(CartItem)
class CartItemAdmin(BackOfficeAdmin):
    """The service cart's items per community (CS-1): the office sets how many it owns; what is
    on the shelf follows the loans (a new stock adds or takes the difference)."""

    form = CartItemForm
    list_display = ["name", "community", "stock", "available", "loan_hours", "active"]
    list_filter = ["community", "active"]
    search_fields = ["name"]
    readonly_fields = ["available"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            if not change:
                obj.available = obj.stock
            else:
                now = CartItem.objects.select_for_update().get(pk=obj.pk)
                obj.available = now.available + (obj.stock - now.stock)
            super().save_model(request, obj, form, change)


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["item", "household", "borrower_name", "state", "lent_at", "due_at"]
    list_filter = ["community", "state", "condition"]
    search_fields = ["household__code", "borrower_name", "borrower_phone"]
    list_select_related = ["item", "household"]
    date_hierarchy = "due_at"


@admin.register(LoanReminder)
class LoanReminderAdmin(ReadOnlyAdmin):
    list_display = ["loan", "phone", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["community", "state"]


@admin.register(ConciergeRequest)
class ConciergeRequestAdmin(ReadOnlyAdmin):
    list_display = ["wanted_at", "kind", "location", "household", "state", "assignee", "done_at"]
    list_filter = ["community", "kind", "state", "source"]
    search_fields = ["location", "household__code", "requester_name"]
    list_select_related = ["household", "assignee"]
    date_hierarchy = "wanted_at"
