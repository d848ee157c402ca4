"""The default defect catalogue (案件质量评查扣分项) and point thresholds, loaded by a data migration.

Aspects follow common court and procuratorate review practice (filing, procedure, facts and law,
documents, case file, time limits, service, enforcement); points are the shipped defaults and are
edited in the admin.
"""

# fmt: off
DEFECT_ITEMS = [
    ("LA-01", "filing", "立案审查不严，不符合受理条件的案件予以受理", "3"),
    ("LA-02", "filing", "案由确定错误", "1"),
    ("LA-03", "filing", "立案信息录入错误或不完整（当事人、标的额等）", "1"),
    ("LA-04", "filing", "未按规定进行诉讼费用缴纳、缓减免审查", "1"),
    ("CX-01", "procedure", "审判组织组成不合法", "4"),
    ("CX-02", "procedure", "应当回避的人员未回避", "4"),
    ("CX-03", "procedure", "未依法告知当事人诉讼权利义务", "2"),
    ("CX-04", "procedure", "适用简易程序、速裁程序不当", "2"),
    ("CX-05", "procedure", "应当公开审理而未公开审理", "3"),
    ("CX-06", "procedure", "未依法组织质证即采信证据", "3"),
    ("CX-07", "procedure", "中止、恢复审理未依法办理手续", "2"),
    ("CX-08", "procedure", "应当提交专业法官会议或审判委员会讨论而未提交", "3"),
    ("CX-09", "procedure", "应当进行类案检索而未检索", "2"),
    ("SF-01", "facts_law", "认定事实不清、证据不足", "4"),
    ("SF-02", "facts_law", "适用法律错误", "4"),
    ("SF-03", "facts_law", "裁判结果明显失衡", "4"),
    ("SF-04", "facts_law", "遗漏诉讼请求或当事人", "3"),
    ("SF-05", "facts_law", "定罪量刑不当", "4"),
    ("WS-01", "documents", "裁判文书主文表述错误或有歧义", "3"),
    ("WS-02", "documents", "裁判文书说理不充分", "2"),
    ("WS-03", "documents", "裁判文书当事人信息、案号、日期等错误", "1"),
    ("WS-04", "documents", "裁判文书错别字、标点等文字错误", "1"),
    ("WS-05", "documents", "裁判文书未依法上网公开或不公开未说明理由", "1"),
    ("JZ-01", "paperwork", "卷宗材料缺失或装订不规范", "1"),
    ("JZ-02", "paperwork", "庭审笔录、合议笔录未签名或记录不全", "2"),
    ("JZ-03", "paperwork", "电子卷宗与纸质卷宗不一致", "1"),
    ("JZ-04", "paperwork", "未按期归档", "1"),
    ("SX-01", "time_limits", "超审限结案", "3"),
    ("SX-02", "time_limits", "延长、扣除审限未依法审批", "2"),
    ("SX-03", "time_limits", "羁押期限届满未依法处理（超期羁押）", "4"),
    ("SX-04", "time_limits", "长期未结案件无正当理由", "2"),
    ("SD-01", "service", "缺少送达回证或送达记录", "1"),
    ("SD-02", "service", "送达方式不合法", "2"),
    ("SD-03", "service", "裁判文书送达超期", "1"),
    ("ZX-01", "enforcement", "未依法采取查控措施", "3"),
    ("ZX-02", "enforcement", "执行款物未及时发放", "3"),
    ("ZX-03", "enforcement", "终结本次执行程序不符合条件", "3"),
]
# fmt: on

THRESHOLDS = [
    ("12", "year", "reminder"),
    ("24", "year", "training_recall"),
    ("36", "year", "discipline_lead"),
    ("30", "case", "discipline_lead"),
]
