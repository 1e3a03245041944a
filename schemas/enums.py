"""Closed vocabularies of the contract. Metric labels are drawn from these, which keeps them bounded."""

from enum import StrEnum


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    LINKEDIN = "linkedin"
    YOUTUBE = "youtube"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


class Kind(StrEnum):
    COMMENT = "comment"
    REPLY = "reply"
    MENTION = "mention"
    DIRECT_MESSAGE = "direct_message"
    POST = "post"


class Event(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    DELETED = "deleted"
    HIDDEN = "hidden"


class Category(StrEnum):
    CASE_HANDLING = "case_handling"
    GENERAL_QUESTION = "general_question"
    FEEDBACK = "feedback"
    OTHER = "other"


class Language(StrEnum):
    BOKMAL = "nb"
    NYNORSK = "nn"
    NORTH_SAMI = "se"
    ENGLISH = "en"
    UNDETERMINED = "und"


class PiiType(StrEnum):
    FODSELSNUMMER = "fodselsnummer"
    D_NUMMER = "d_nummer"
    BANK_ACCOUNT = "bank_account"
    PHONE = "phone"
    EMAIL = "email"


class ModerationReason(StrEnum):
    """The only reasons the guideline allows for removing a comment."""

    PERSONAL_ATTACK = "personal_attack"
    THIRD_PARTY = "third_party"
    UNLAWFUL = "unlawful"


class EscalationReason(StrEnum):
    THREAT = "threat"
    MEDIA = "media"
    SELF_HARM = "self_harm"
    CHILD_WELFARE = "child_welfare"
    EMERGENCY = "emergency"
    SPIKE = "spike"
    CRISIS = "crisis"


class SlaState(StrEnum):
    OPENED = "opened"
    WARNING = "warning"
    BREACHED = "breached"
    ANSWERED = "answered"
    CLOSED = "closed"
    #: Put aside by staff until a time or until the citizen writes again; no warning or breach meanwhile.
    SNOOZED = "snoozed"


class Resolution(StrEnum):
    """How an inquiry's clock stopped."""

    #: Our account answered in the conversation.
    REPLY = "reply"
    #: A case-handling request: forwarded to the archive and the citizen told so by our reply.
    FORWARDED = "forwarded"
    #: Every pending message was hidden for a reason the guideline allows (a moderation flag).
    HIDDEN = "hidden"
    #: Every pending message was deleted (by its author or by us); nothing is left to answer.
    DELETED = "deleted"
    #: Staff closed it without a reply, for a ``CloseReason``.
    CLOSED_WITHOUT_REPLY = "closed_without_reply"


class CloseReason(StrEnum):
    """Why staff closed an inquiry without replying."""

    NO_REPLY_NEEDED = "no_reply_needed"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    SPAM = "spam"
    DUPLICATE = "duplicate"
