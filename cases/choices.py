from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal")
    CIVIL = "civil", _("Civil")
    ADMINISTRATIVE = "administrative", _("Administrative")
    ENFORCEMENT = "enforcement", _("Enforcement")
    COMPENSATION = "compensation", _("State compensation")
    PUBLIC_INTEREST = "public_interest", _("Public interest litigation")


class Procedure(models.TextChoices):
    FIRST_INSTANCE = "first_instance", _("First instance")
    SECOND_INSTANCE = "second_instance", _("Second instance")
    RETRIAL = "retrial", _("Retrial")
    ENFORCEMENT = "enforcement", _("Enforcement")
    # A procuratorate's procedures (DOMAIN.md §13): optional vocabulary, the rules and flows are the procuratorate
    # app's data.
    ARREST_REVIEW = "arrest_review", _("Review of arrest")
    PROSECUTION_REVIEW = "prosecution", _("Review for prosecution")
    PROTEST = "protest", _("Protest")
    SUPERVISION = "supervision", _("Procuratorial supervision")
    PIL_PRE_SUIT = "pil_pre_suit", _("Public interest: pre-litigation procedure")
    PIL_SUIT = "pil_suit", _("Public interest: litigation")


class ClosingMethod(models.TextChoices):
    JUDGMENT = "judgment", _("Judgment")
    RULING = "ruling", _("Ruling")
    MEDIATION = "mediation", _("Mediation")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER = "transfer", _("Transfer")
    OTHER = "other", _("Other")
    # A procuratorate's decisions that end its procedures (DOMAIN.md §13).
    ARREST_APPROVED = "arrest_approved", _("Arrest approved")
    ARREST_REFUSED = "arrest_refused", _("Arrest not approved")
    PROSECUTED = "prosecuted", _("Public prosecution initiated")
    NP_STATUTORY = "np_statutory", _("Non-prosecution (statutory)")
    NP_DISCRETIONARY = "np_discretionary", _("Non-prosecution (discretionary)")
    NP_DOUBT = "np_doubt", _("Non-prosecution (insufficient evidence)")
    NP_CONDITIONAL = "np_conditional", _("Conditional non-prosecution")
    PROTESTED = "protested", _("Protest lodged")
    NOT_PROTESTED = "not_protested", _("No protest")
    SUGGESTION = "suggestion", _("Procuratorial suggestion")
    REVIEW_ENDED = "review_ended", _("Review terminated")
    PIL_FILED = "pil_filed", _("Public interest suit filed")


#: The closing methods that apply to each case type (the closing form offers these; ``case_close`` refuses others).
#: 驳回起诉、驳回申请 are rulings (裁定), so they close as ``ruling``: INTERCHANGE.md's closing methods and its appeal
#: rate (cases closed by judgment or ruling) stay as they are.
CLOSING_METHODS_BY_TYPE: dict[str, tuple[str, ...]] = {
    CaseType.CRIMINAL: ("judgment", "ruling", "mediation", "withdrawal", "transfer", "other"),  # 自诉案件可以调解
    CaseType.CIVIL: ("judgment", "ruling", "mediation", "withdrawal", "transfer", "other"),
    CaseType.ADMINISTRATIVE: ("judgment", "ruling", "mediation", "withdrawal", "transfer", "other"),
    CaseType.ENFORCEMENT: ("ruling", "mediation", "withdrawal", "transfer", "other"),
    CaseType.COMPENSATION: ("ruling", "mediation", "withdrawal", "other"),
    CaseType.PUBLIC_INTEREST: ("judgment", "ruling", "mediation", "withdrawal", "transfer", "other"),
}


#: Closing methods of a procedure, where the procedure has its own (a procuratorate's): they replace the case type's.
#: Filled by the app that owns the procedure (``closing_methods_register`` in its ``AppConfig.ready``).
CLOSING_METHODS_BY_PROCEDURE: dict[str, tuple[str, ...]] = {}


def closing_methods_register(procedure: str, methods: tuple[str, ...]) -> None:
    CLOSING_METHODS_BY_PROCEDURE[procedure] = tuple(methods)


def closing_methods_for(case_type: str, procedure: str) -> tuple[str, ...]:
    """The closing methods a case of this type and procedure may close by."""
    if procedure in CLOSING_METHODS_BY_PROCEDURE:
        return CLOSING_METHODS_BY_PROCEDURE[procedure]
    return CLOSING_METHODS_BY_TYPE.get(case_type, tuple(ClosingMethod.values))


#: Procedures that belong to an organisation kind other than the court (a procuratorate's): filed only there, never at
#: a court. Filled by the app that owns them (``kind_procedures_register`` in its ``AppConfig.ready``).
PROCEDURES_BY_KIND: dict[str, frozenset[str]] = {}


def kind_procedures_register(kind: str, procedures: frozenset[str] | set[str] | tuple[str, ...]) -> None:
    PROCEDURES_BY_KIND[kind] = frozenset(procedures)


def procedures_of_kind(kind: str) -> frozenset[str]:
    return PROCEDURES_BY_KIND.get(kind, frozenset())


def procedures_of_other_kinds(kind: str) -> frozenset[str]:
    return frozenset().union(*(p for k, p in PROCEDURES_BY_KIND.items() if k != kind))


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    AMENDED = "amended", _("Amended")
    REMANDED = "remanded", _("Remanded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MEDIATED = "mediated", _("Mediated")
    OTHER = "other", _("Other")


#: Procedures whose closed cases carry an outcome.
OUTCOME_PROCEDURES = frozenset({Procedure.SECOND_INSTANCE, Procedure.RETRIAL})


class ActionSource(models.TextChoices):
    WEB = "web", _("Browser")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class Track(models.TextChoices):
    """The procedural track within a procedure, where the law gives it its own time limit."""

    ORDINARY = "ordinary", _("Ordinary procedure")
    SUMMARY = "summary", _("Summary procedure")
    SMALL_CLAIMS = "small_claims", _("Small-claims procedure")
    # A procuratorate's tracks (DOMAIN.md §13).
    DETAINED = "detained", _("Suspect detained")
    NOT_DETAINED = "not_detained", _("Suspect not detained")
    FAST_TRACK = "fast_track", _("Fast-track plea procedure")
    APPELLATE = "appellate", _("Protest on appeal")
    SUPERVISORY = "supervisory", _("Protest under trial supervision")


class Approver(models.TextChoices):
    """Who the law names to approve an extension of the time limit."""

    PRESIDENT = "president", _("Court president")
    HIGHER_COURT = "higher_court", _("Higher court")
    NONE = "none", _("Not extendable")


class AssignmentKind(models.TextChoices):
    RANDOM = "random", _("Random assignment")
    DESIGNATED = "designated", _("Designated assignment")
    CHANGE = "change", _("Change of the lead judge")


class DesignationReason(models.TextChoices):
    """The situations in which a case may be designated rather than drawn (SPC opinions 2015 and 2017)."""

    MAJOR_SENSITIVE = "major_sensitive", _("Major, difficult, complex or sensitive case")
    RELATED_CASE = "related_case", _("Related to a case the judge already handles")
    SPECIALISED = "specialised", _("Needs a specialised panel")
    REMANDED = "remanded", _("Remanded or retried: a different judge is required")
    RECUSAL = "recusal", _("The judge drawn withdrew (recusal)")
    LEADER_HEARS = "leader_hears", _("A president or division chief hears the case")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Not approved")
