"""The sanction rules shipped by default (惩戒规则): what the court or procuratorate may decide on each opinion of
the discipline committee, and the negative items of the power list that stop a dismissed officer's case work.
Installed by data migrations; administrators confirm and edit the rules in the admin afterwards.

What public sources say, and how it maps here (each court must confirm the mapping for its province):

- 法官法 (2019) 第四十六条 / 检察官法 (2019) 第四十七条: an officer who breaches duty on purpose (第四项) or by gross
  negligence with serious consequences (第五项) "应当给予处分" — a sanction is required. 第四十八条 / 第四十九条: the
  committee finds 构成故意违反职责、存在重大过失、存在一般过失 or 没有违反职责; the court or procuratorate then
  "依照有关规定作出是否予以惩戒的决定，并给予相应处理".
- 《关于建立法官、检察官惩戒制度的意见（试行）》 (法发〔2016〕24号) and the SPP's 《检察官惩戒工作程序规定（试行）》 (2022):
  the decision follows the committee's opinion; responsibility must fit the fault (责任与过错相适应); no breach,
  no sanction.
- 《最高人民法院关于完善人民法院司法责任制的若干意见》 (法发〔2015〕13号) 第二十八条 and the 容错 lists: where an
  exemption applies the officer is not held responsible (免责) — no sanction.
- 公职人员政务处分法 (2020) 第七条 and 公务员法 第六十二条: the sanction ladder 警告、记过、记大过、降级、撤职、开除;
  第八条: periods of 6, 12, 18 and 24 months (开除 has none). 法官法 第四十七条: 停职、延期晋升、退出员额 as
  personnel measures (人事处理) beside a sanction.
- 一般过失 is not a ground on which 法官法 第四十六条 requires a sanction: the lighter measures (责令检查、诫勉谈话、
  通报批评) or the lightest sanction (警告), or no sanction at all (可不予惩戒); no personnel measure.
"""

from __future__ import annotations

from typing import Any

from discipline.choices import OpinionGround, PersonnelMeasure, SanctionKind

JUDGES_LAW = "《中华人民共和国法官法》第四十六条、第四十八条；《中华人民共和国检察官法》第四十七条、第四十九条"
OPINION_2016 = (
    "《关于建立法官、检察官惩戒制度的意见（试行）》（法发〔2016〕24号）；《检察官惩戒工作程序规定（试行）》（2022年）"
)
LADDER = "《中华人民共和国公职人员政务处分法》第七条、第八条；《中华人民共和国公务员法》第六十二条"
EXEMPTIONS = "《最高人民法院关于完善人民法院司法责任制的若干意见》（法发〔2015〕13号）第二十八条"

_SANCTIONS = [
    SanctionKind.WARNING,
    SanctionKind.DEMERIT,
    SanctionKind.MAJOR_DEMERIT,
    SanctionKind.DEMOTION,
    SanctionKind.REMOVAL,
    SanctionKind.DISMISSAL,
]
_LIGHTER = [SanctionKind.NONE, SanctionKind.SELF_CRITICISM, SanctionKind.ADMONISHMENT, SanctionKind.CRITICISM]
_EXAMPLE = "（示例规则，须由本院确认）"

SANCTION_RULES: list[dict[str, Any]] = [
    {
        "ground": OpinionGround.INTENTIONAL,
        "kinds": _SANCTIONS,
        "measures": list(PersonnelMeasure.values),
        "legal_basis": f"故意违反职责：应当给予处分。{JUDGES_LAW}；{OPINION_2016}；{LADDER}{_EXAMPLE}",
    },
    {
        "ground": OpinionGround.GROSS_NEGLIGENCE,
        "kinds": _SANCTIONS,
        "measures": list(PersonnelMeasure.values),
        "legal_basis": f"重大过失导致裁判结果错误并造成严重后果：应当给予处分。{JUDGES_LAW}；{OPINION_2016}；{LADDER}{_EXAMPLE}",
    },
    {
        "ground": OpinionGround.ORDINARY_NEGLIGENCE,
        "kinds": [*_LIGHTER, SanctionKind.WARNING],
        "measures": [],
        "legal_basis": f"一般过失：可以不予惩戒，或者责令检查、诫勉谈话、通报批评、警告；不附加人事处理。{JUDGES_LAW}；{OPINION_2016}{_EXAMPLE}",
    },
    {
        "ground": OpinionGround.NO_BREACH,
        "kinds": [SanctionKind.NONE],
        "measures": [],
        "legal_basis": f"没有违反职责：不予惩戒。{JUDGES_LAW}；{OPINION_2016}",
    },
    {
        "ground": OpinionGround.EXEMPTED,
        "kinds": [SanctionKind.NONE],
        "measures": [],
        "legal_basis": f"存在免责事由：不予追究责任（免责）。{EXEMPTIONS}",
    },
]

#: The roles whose case work the negative items stop (as the suspension items JUD-X1 … do).
BARRED_ROLES = (
    ("JUD", "judge"),
    ("PRO", "prosecutor"),
    ("AST", "assistant"),
    ("CLK", "clerk"),
    ("CHF", "division_chief"),
    ("PRE", "president"),
    ("VPR", "vice_president"),
    ("CMO", "case_management"),
)
DISMISSED = {"field": "actor.dismissed", "op": "eq", "value": True}


def dismissal_items() -> list[dict[str, Any]]:
    """``<prefix>-X2``: from the day a dismissal is decided, no case work of any kind (the fact is discipline's)."""
    return [
        {
            "code": f"{prefix}-X2",
            "title": "受开除处分的，自处分决定作出之日起不得办理案件",
            "role": role,
            "action_type": "any",
            "scope": "subordinate",
            "effect": "deny",
            "legal_basis": f"{LADDER}；{JUDGES_LAW}",
            "conditions": DISMISSED,
        }
        for prefix, role in BARRED_ROLES
    ]


def install(rule_model: Any, power_item_model: Any, revision_model: Any) -> int:
    """Create the rules and the items that do not exist yet (rules by opinion, items by code). Idempotent: used by
    the data migration and by tests whose tables are flushed between them."""
    created = 0
    existing = set(rule_model.objects.values_list("ground", flat=True))
    for data in SANCTION_RULES:
        if str(data["ground"]) not in existing:
            rule_model.objects.create(
                ground=str(data["ground"]),
                kinds=[str(k) for k in data["kinds"]],
                measures=[str(m) for m in data["measures"]],
                legal_basis=data["legal_basis"],
            )
            created += 1
    codes = set(power_item_model.objects.values_list("code", flat=True))
    roles = set(power_item_model._meta.get_field("role").related_model.objects.values_list("pk", flat=True))
    for data in dismissal_items():
        if data["code"] in codes or data["role"] not in roles:
            continue
        fields = {k: v for k, v in data.items() if k != "role"}
        item = power_item_model.objects.create(role_id=data["role"], revision=1, is_active=True, **fields)
        snapshot = {**fields, "role": data["role"], "revision": 1, "is_active": True}
        revision_model.objects.create(item=item, revision=1, snapshot=snapshot, reason="default list")
        created += 1
    return created
