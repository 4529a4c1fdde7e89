"""Which free-text fields are scanned for personal data, where, and which text fields are not free text.

``tests/privacy/test_registry.py`` enumerates every ``TextField`` of the project's models and fails when one is
in neither table; for the fields scanned by :class:`samtrygg.privacy.forms.PiiWarningMixin` it checks that the
named form really lists the field.
"""

from __future__ import annotations

# "app.model.field": (the form that warns, as a dotted path, or a description of the older mechanism)
SCANNED = {
    "reports.report.description": "samtrygg.reports.forms.ReportForm (live check and “save anyway”); imports "
                                  "and the API / Open311 warn too",
    "actions.action.description": "samtrygg.actions.forms.ActionForm",
    "actions.action.follow_up": "samtrygg.actions.forms.ActionForm",
    "weekly.weeklypicture.what_we_see": "samtrygg.weekly.meeting.pii_kinds (the weekly assessment form)",
    "weekly.weeklypicture.what_it_means": "samtrygg.weekly.meeting.pii_kinds (the weekly assessment form)",
    "quarterly.quarterlyanalysis.conclusions": "samtrygg.quarterly.views._text_fields",
    "cases.placecase.problem": "samtrygg.cases.forms.CaseForm",
    "cases.journalentry.text": "samtrygg.cases.forms.JournalForm",
    "cases.causeanalysis.offenders": "samtrygg.cases.forms.AnalysisForm",
    "cases.causeanalysis.targets": "samtrygg.cases.forms.AnalysisForm",
    "cases.causeanalysis.place_features": "samtrygg.cases.forms.AnalysisForm",
    "cases.causeanalysis.handlers": "samtrygg.cases.forms.AnalysisForm",
    "cases.causeanalysis.guardians": "samtrygg.cases.forms.AnalysisForm",
    "cases.causeanalysis.managers": "samtrygg.cases.forms.AnalysisForm",
    "cases.causeanalysis.conclusions": "samtrygg.cases.forms.AnalysisForm",
    "cases.hypothesis.text": "samtrygg.cases.forms.HypothesisForm",
    "cases.hypothesis.evidence": "samtrygg.cases.forms.HypothesisForm",
    "walks.questionnaire.intro_sv": "samtrygg.walks.views_questionnaires.QuestionnaireForm",
    "walks.questionnaire.intro_en": "samtrygg.walks.views_questionnaires.QuestionnaireForm",
    "walks.safetywalk.notes": "samtrygg.walks.forms_walks.WalkForm",
    "walks.observation.comment": "samtrygg.walks.forms_walks.ObservationForm (“save anyway”)",
    "walks.feedback.summary_sv": "samtrygg.walks.views_feedback.FeedbackForm",
    "walks.feedback.summary_en": "samtrygg.walks.views_feedback.FeedbackForm",
    # Not a TextField, but free text residents type: the questionnaire's free-text answers (JSON values).
    "walks.answer.value": "samtrygg.walks.forms_answer.AnswerForm (free-text questions)",
}

NOT_FREE_TEXT = {
    "webhooks.delivery.payload": "the JSON body Samtrygg generates and signs for a webhook",
}
