"""Forms: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from modeler.review.models import MAX_APPROVALS, Verdict
from modeler.web.forms import TextForm
from modeler.web.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ROLE_CHOICES = Membership.Role.choices


class ProposalForm(TextForm):
    title = forms.CharField(max_length=200, min_length=3)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=10_000)
    reviewers = forms.MultipleChoiceField(required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text="They get a review request in their inbox.")

    def __init__(self, *args: Any, candidates: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.user_id): c.user for c in candidates}
        reviewers = self.fields["reviewers"]
        assert isinstance(reviewers, forms.ChoiceField)
        reviewers.choices = [
            (str(c.user_id), f"{c.user.get_username()} ({c.role})") for c in candidates]

    def reviewer_users(self) -> list[User]:
        return [self.candidates[i] for i in self.cleaned_data.get("reviewers", [])]


class ThreadForm(TextForm):
    anchor = forms.ChoiceField(label="Comment on")
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=10_000)

    def __init__(self, *args: Any, anchors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anchor = self.fields["anchor"]
        assert isinstance(anchor, forms.ChoiceField)
        anchor.choices = anchors


class ReplyForm(TextForm):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=10_000)


class VerdictForm(TextForm):
    decision = forms.ChoiceField(choices=Verdict.Decision.choices, widget=forms.RadioSelect)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=10_000)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class MergeForm(TextForm):
    message = forms.CharField(required=False, max_length=500)  # empty: from the title
    # rollout/rollback notes, which DC-03 asks of a destructive version
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}))


class MemberAddForm(TextForm):
    identifier = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="viewer")


class RoleForm(TextForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ApprovalsForm(TextForm):
    required_approvals = forms.IntegerField(min_value=1, max_value=MAX_APPROVALS,
                                            required=False)

    def __init__(self, *args: Any, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_approvals"].required = not optional
        if optional:
            self.fields["required_approvals"].help_text = "Empty: the project's setting."
