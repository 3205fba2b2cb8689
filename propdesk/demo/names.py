"""Data lists for the demo seed: names, phone prefixes, the service catalogue and what owners
say at the front desk. Plain data, no logic; propdesk.demo.seed draws from it with a seeded RNG.

Every text is what a 物业管理处 in a Chinese city would really write, so the demo reads true.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

COMPANY_NAME = "锦绣物业服务有限公司"


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    code: str
    address: str
    order_prefix: str
    buildings: int
    floors: int  # a unit has two flats a floor: 1501, 1502
    rooms_per_floor: int = 2


COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec("锦绣花园", "jxhy", "杭州市西湖区文一西路 588 号", "GD", buildings=6, floors=18),
    CommunitySpec("滨江苑", "bjy", "杭州市滨江区江南大道 1288 号", "BJ", buildings=4, floors=12),
)

# Hangzhou, where both demo communities are: landlines are 0571 + 8 digits.
LANDLINE_AREA = "0571"

# The most common surnames first: the seed weights them by rank, as in a real register.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
# Given names are drawn from one pool per sex, so 王建国 and 李秀英 come out, not 王秀国.
GIVEN_MALE = (
    "伟强磊军洋勇杰涛明超刚建国文辉力波宁俊峰志宇浩然子轩梓睿晨阳东海永健立新德胜鑫博凯鹏飞成亮"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞平桂英华玉萍红欣怡子涵雨桐思佳慧晓燕秀兰春梅淑珍婷颖玲琳丹倩嘉琪"

# Mobile prefixes of the three carriers, all accepted by phonenumbers' CN metadata.
MOBILE_PREFIXES = (
    # China Mobile
    *("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "187", "188"),
    # China Unicom
    *("130", "131", "132", "155", "156", "185", "186", "176"),
    # China Telecom
    *("133", "153", "180", "181", "189", "177", "199"),
)

# --- the Service Refinement Plan (《服务细化方案》, DS-2) ---------------------------------------


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    kind: str  # repair | housekeeping
    team_kind: str  # repair | cleaning
    steps: tuple[str, ...]
    minutes: int
    fee: Decimal
    fee_note: str = ""


CATALOGUE: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "WX-001",
        "更换水龙头",
        "repair",
        "repair",
        ("上门确认型号", "关闭进水总阀", "拆除旧龙头并更换", "试水检查无渗漏", "清理现场"),
        40,
        Decimal("30.00"),
        "材料费另计",
    ),
    ServiceSpec(
        "WX-002",
        "疏通下水道",
        "repair",
        "repair",
        ("确认堵塞位置", "铺设防护垫", "机械疏通", "通水试验", "清理现场"),
        60,
        Decimal("50.00"),
    ),
    ServiceSpec(
        "WX-003",
        "更换灯泡灯管",
        "repair",
        "repair",
        ("断电确认", "拆除旧灯泡", "安装新灯泡", "通电测试"),
        20,
        Decimal("10.00"),
        "灯泡由业主自备或按进价收取",
    ),
    ServiceSpec(
        "WX-004",
        "门锁维修",
        "repair",
        "repair",
        ("核实业主身份", "检查锁体锁芯", "维修或更换锁芯", "试开三次"),
        45,
        Decimal("40.00"),
        "更换锁芯材料费另计",
    ),
    ServiceSpec(
        "WX-005",
        "马桶水箱维修",
        "repair",
        "repair",
        ("关闭角阀", "检查进水阀与排水阀", "更换损坏配件", "试水检查"),
        40,
        Decimal("30.00"),
        "材料费另计",
    ),
    ServiceSpec(
        "WX-006",
        "门窗五金维修",
        "repair",
        "repair",
        ("检查滑轮合页", "拆卸损坏件", "更换并调整", "开关试验"),
        60,
        Decimal("40.00"),
    ),
    ServiceSpec(
        "WX-007",
        "室内电路检修",
        "repair",
        "repair",
        ("询问故障现象", "断电检查线路", "排除故障", "恢复送电并测试", "告知用电注意事项"),
        60,
        Decimal("50.00"),
    ),
    ServiceSpec(
        "JZ-001",
        "家电清洗",
        "housekeeping",
        "cleaning",
        ("确认家电型号", "铺设防护", "拆卸清洗", "组装试机", "业主验收"),
        90,
        Decimal("120.00"),
        "空调挂机、油烟机单价",
    ),
    ServiceSpec(
        "JZ-002",
        "开荒保洁",
        "housekeeping",
        "cleaning",
        ("现场勘查面积", "除胶去污", "门窗玻璃清洁", "厨卫深度清洁", "地面清洁", "业主验收"),
        480,
        Decimal("8.00"),
        "按建筑面积每平方米计",
    ),
    ServiceSpec(
        "JZ-003",
        "日常家庭保洁",
        "housekeeping",
        "cleaning",
        ("确认保洁范围", "整理收纳", "擦拭除尘", "拖地", "业主验收"),
        180,
        Decimal("40.00"),
        "每小时计",
    ),
    ServiceSpec(
        "JZ-004",
        "玻璃清洗",
        "housekeeping",
        "cleaning",
        ("检查安全条件", "清洗玻璃及窗框", "刮净水渍", "业主验收"),
        120,
        Decimal("5.00"),
        "按玻璃面积每平方米计",
    ),
    ServiceSpec(
        "JZ-005",
        "布艺沙发清洗",
        "housekeeping",
        "cleaning",
        ("检查面料", "吸尘", "喷洗", "吸水烘干", "业主验收"),
        120,
        Decimal("80.00"),
        "每座位计",
    ),
)

# --- what owners say, and what the office writes back -----------------------------------------


@dataclass(frozen=True)
class Case:
    """One kind of request: what the owner said, the work order text, how it ended."""

    said: str
    description: str
    done: str  # the team's or administrator's completion note
    item: str = ""  # service item code
    location: str = ""  # a public place; "{b}" and "{u}" take a building and a unit number


REPAIRS: tuple[Case, ...] = (
    Case(
        "厨房水龙头漏水，关不紧",
        "厨房水龙头漏水，需上门更换",
        "已更换厨房水龙头，试水无渗漏",
        "WX-001",
    ),
    Case("卫生间洗手盆龙头滴水", "卫生间龙头滴水", "已更换阀芯，试水正常", "WX-001"),
    Case("卫生间地漏堵了，水下不去", "卫生间下水道堵塞", "已疏通地漏及排水管，排水通畅", "WX-002"),
    Case("厨房水槽下水很慢还返味", "厨房下水道堵塞返味", "已疏通并加装防臭芯", "WX-002"),
    Case("客厅吸顶灯不亮了", "客厅吸顶灯不亮", "已更换LED灯盘，通电正常", "WX-003"),
    Case("卫生间灯管一闪一闪的", "卫生间灯管闪烁", "已更换灯管及启辉器", "WX-003"),
    Case("入户门锁芯卡住，钥匙拧不动", "入户门锁芯卡滞", "已更换C级锁芯，交付三把钥匙", "WX-004"),
    Case("马桶水箱一直在流水", "马桶水箱长流水", "已更换进水阀，水位调整正常", "WX-005"),
    Case("阳台推拉门滑轮坏了推不动", "阳台推拉门滑轮损坏", "已更换滑轮两只，推拉顺畅", "WX-006"),
    Case(
        "厨房插座没电，一插就跳闸", "厨房插座跳闸", "插座进水短路，已更换插座并恢复送电", "WX-007"
    ),
    Case("家里一半房间没电了", "室内部分回路断电", "空开老化，已更换空气开关", "WX-007"),
)

PUBLIC_REPAIRS: tuple[Case, ...] = (
    Case(
        "楼道灯不亮，晚上上楼很黑",
        "楼道声控灯不亮",
        "已更换声控灯头三只",
        location="{b}栋{u}单元楼道",
    ),
    Case(
        "电梯异响，运行时有咔咔声",
        "电梯运行异响",
        "已通知电梯维保单位到场，更换导靴衬，运行正常",
        location="{b}栋{u}单元电梯",
    ),
    Case(
        "单元门关不上，闭门器坏了", "单元门闭门器损坏", "已更换闭门器", location="{b}栋{u}单元大堂"
    ),
    Case(
        "地下车库排风扇不转，味道很大",
        "车库排风机停转",
        "排风机电机热保护跳闸，已复位并检修",
        location="地下车库B区",
    ),
    Case(
        "东门门禁刷卡没反应",
        "东门门禁读卡器故障",
        "读卡器接线松动，已重新压接",
        location="小区东门",
    ),
    Case("楼顶水箱间下雨漏水", "楼顶水箱间渗漏", "已对屋面裂缝做防水修补", location="{b}栋屋顶"),
    Case(
        "儿童游乐区滑梯有螺丝松了",
        "游乐设施螺栓松动",
        "已紧固全部螺栓并检查其余设施",
        location="中心花园儿童游乐区",
    ),
)

# Left over from the developer's construction (施工遗留, FD-5): open for weeks, called weekly.
LEGACY_REPAIRS: tuple[Case, ...] = (
    Case(
        "卫生间墙面渗水，交房时就有，一直没修好",
        "施工遗留：卫生间墙面渗水",
        "开发商施工单位已重做防水层，闭水试验48小时无渗漏",
    ),
    Case(
        "主卧窗框四周漏风渗雨，交房遗留问题",
        "施工遗留：主卧窗框渗水",
        "施工单位已重新打胶并修补窗框，淋水试验无渗漏",
    ),
)

HOUSEKEEPING: tuple[Case, ...] = (
    Case(
        "想约个时间清洗抽油烟机", "家电清洗：抽油烟机", "已完成油烟机拆洗，业主验收满意", "JZ-001"
    ),
    Case("两台空调挂机要清洗", "家电清洗：空调挂机两台", "已清洗空调挂机两台，试机正常", "JZ-001"),
    Case(
        "新房刚装修完，需要开荒保洁",
        "开荒保洁，约120平方米",
        "开荒保洁完成，业主验收签字",
        "JZ-002",
    ),
    Case("周六上午请阿姨来打扫三小时", "日常家庭保洁三小时", "保洁完成，业主验收满意", "JZ-003"),
    Case("全屋窗户玻璃要擦一下", "玻璃清洗", "玻璃清洗完成，无水渍", "JZ-004"),
    Case("布艺沙发脏了想清洗", "布艺沙发清洗，三人位", "沙发清洗完成，已吸水烘干", "JZ-005"),
)


@dataclass(frozen=True)
class ComplaintCase:
    complaint_type: str  # general | written | attitude
    said: str
    description: str
    done: str
    follow_up: str
    important: bool = False
    long_running: bool = False
    public: bool = False  # about the estate rather than this household


COMPLAINTS: tuple[ComplaintCase, ...] = (
    ComplaintCase(
        "general",
        "楼上装修噪音扰民，中午休息时间还在电钻",
        "楼上装修噪音扰民，午休时段施工",
        "已上门与楼上住户及装修队沟通，要求严格按装修管理规定时段施工",
        "电话回访，业主反映噪音已明显减少，表示满意",
    ),
    ComplaintCase(
        "general",
        "有车辆长期停在消防通道上",
        "消防通道被私家车长期占用",
        "已联系车主挪车，并在通道口加设禁停标识",
        "回访业主，消防通道已保持畅通",
        public=True,
    ),
    ComplaintCase(
        "general",
        "垃圾桶满了没人清理，楼下臭得很",
        "垃圾桶清运不及时有异味",
        "已安排清洁班加清一次，并调整为每日两次清运",
        "电话回访，业主表示满意",
        public=True,
    ),
    ComplaintCase(
        "general",
        "邻居在楼道里堆放杂物和纸箱",
        "楼道堆放杂物存在消防隐患",
        "已上门告知邻居，杂物已清理",
        "回访业主，楼道已清理干净",
    ),
    ComplaintCase(
        "general",
        "小区里有人遛狗不拴绳，吓到小孩了",
        "文明养犬问题：遛狗不拴绳",
        "已在各单元张贴文明养犬告示，保安巡逻时加强劝导",
        "回访业主，表示情况有所改善",
        public=True,
    ),
    ComplaintCase(
        "general",
        "晚上广场舞音乐太吵，九点多还没停",
        "夜间广场舞噪音扰民",
        "已与广场舞队负责人约定音量和结束时间为晚上八点半",
        "电话回访，业主表示近几天安静多了",
        public=True,
    ),
    ComplaintCase(
        "attitude",
        "东门保安态度很差，登记时出言不逊",
        "服务态度投诉：东门保安登记时态度恶劣",
        "已向当事保安了解经过，当面向业主致歉；当事人限期一周整改，扣罚当月绩效",
        "负责人电话回访，业主接受道歉",
    ),
    ComplaintCase(
        "attitude",
        "维修师傅上门迟到一个多小时也不打招呼",
        "服务态度投诉：维修人员迟到未告知",
        "已核实迟到原因并向业主致歉；维修班加强预约时间管理，当事人书面检讨",
        "负责人回访，业主表示理解",
    ),
    ComplaintCase(
        "written",
        "书面投诉：地下车库顶板渗水滴到车上，漆面受损",
        "书面投诉：车库顶板渗水损坏车辆漆面",
        "已查明为上方绿化带排水不畅，完成防水修补；车辆损失按公众责任险报案处理",
        "管理员上门回访，业主认可处理结果",
    ),
    ComplaintCase(
        "written",
        "联名信：电梯最近一个月故障三次，要求彻底检修",
        "书面投诉（联名）：电梯频繁故障",
        "已请维保单位全面检修，更换曳引机编码器，并在大堂公示检修报告",
        "管理员回访联名业主代表，表示认可",
        public=True,
    ),
    ComplaintCase(
        "general",
        "楼上卫生间漏水，我家天花板都发霉了，反映好几次没人管",
        "楼上渗漏致天花板发霉，多次反映未解决",
        "负责人亲自上门协调，楼上住户同意重做卫生间防水，费用由其承担",
        "负责人上门回访，天花板已重新粉刷，业主满意",
        important=True,
    ),
    ComplaintCase(
        "general",
        "小区外面地铁工地晚上还在施工，吵得睡不着",
        "外围地铁工地夜间施工噪音",
        "已致函施工单位并报城管部门，施工单位承诺22点后停止高噪声作业",
        "每周电话告知业主协调进展，业主表示理解",
        long_running=True,
        public=True,
    ),
)


@dataclass(frozen=True)
class Answer:
    said: str
    answer: str


CONSULTATIONS: tuple[Answer, ...] = (
    Answer("物业费怎么交，能不能微信缴", "已告知可通过物业公众号在线缴纳，或到管理处前台刷卡"),
    Answer("装修需要办什么手续", "已告知携带装修方案和施工单位资质到管理处办理装修登记"),
    Answer("这周什么时候停水", "已告知周四9:00-15:00清洗二次供水水箱，届时停水"),
    Answer("门禁卡丢了怎么补办", "已告知带身份证到管理处补办，工本费20元"),
    Answer("地下车位月租多少钱", "已告知月租300元，可到前台登记排队"),
    Answer("能不能借个推车搬东西", "已告知便民服务车可借用推车，登记后到大堂领取"),
    Answer("快递柜坏了快递怎么取", "已告知暂时到东门岗亭取件，快递柜厂家明天维修"),
    Answer("小区什么时候组织消防演练", "已告知本月最后一个周六上午在中心广场举行"),
)

SUGGESTIONS: tuple[Answer, ...] = (
    Answer("建议在车棚增设电动车充电桩", "已记录，提交业委会讨论并在下月公示结果"),
    Answer("建议下雨天在大堂放防滑垫和伞架", "已采纳，各单元大堂雨天放置防滑垫和伞架"),
    Answer("建议增加儿童游乐设施", "已记录，列入明年公共收益使用计划征求意见"),
    Answer("建议垃圾分类点延长开放时间", "已记录，与清洁班研究调整开放时间"),
)

SUGGESTION_ORDERS: tuple[Case, ...] = (
    Case(
        "建议东门人行道晚上加装照明",
        "建议：东门人行道夜间照明不足",
        "已在东门人行道增设两盏太阳能路灯",
        location="小区东门",
    ),
    Case(
        "建议在中心花园加几张长椅",
        "建议：中心花园增设休息长椅",
        "已在中心花园增设长椅四张",
        location="中心花园",
    ),
)


@dataclass(frozen=True)
class Promise:
    intent: str  # repair | consultation
    said: str
    reason: str
    days: int


PROMISES: tuple[Promise, ...] = (
    Promise("repair", "南门道闸抬杆不动了", "道闸主板需厂家更换，配件预计两天后到货", 2),
    Promise("repair", "单元门对讲机没有声音", "需对讲系统厂家上门检测，已预约后天上午", 2),
    Promise("consultation", "想租一个地下车位", "需核实车位余量，明天下午前电话答复", 1),
    Promise("consultation", "不动产权证什么时候能办下来", "需向开发商核实办理进度，三天内答复", 3),
    Promise(
        "repair", "小区游泳池什么时候能修好开放", "需专业单位更换循环泵，已下单，三天内完成", 3
    ),
)

RETURN_NOTES = (
    "业主不在家，电话联系不上，无法入户",
    "经查为燃气管道问题，需由燃气公司处理，退回管理处协调",
    "所需配件缺货，退回管理处协调采购",
)
COMPLAINT_RETURN_NOTES = ("涉及多个部门，需管理处负责人协调", "业主要求由负责人当面答复")
CANCEL_NOTES = (
    "业主来电告知已自行处理，撤销工单",
    "重复报修，与前一张工单为同一问题",
    "业主要求改期，另行约定后重新开单",
)
REOPEN_NOTES = ("业主反映问题再次出现，重新处理", "回访时业主表示未彻底解决")
# What an owner said on a return visit that went badly (比较不满意, 不满意): the visit's note must
# not say the opposite of its level (seed._visit_note).
UNHAPPY_VISIT_NOTES = (
    "电话回访，业主对处理结果不满意，要求再次上门查看",
    "电话回访，业主反映问题未彻底解决",
    "电话回访，业主对等候时间不满意，希望下次提前电话联系",
)
REPAIR_FOLLOW_UPS = (
    "电话回访，业主对维修结果满意",
    "电话回访，业主表示满意，师傅准时上门",
    "电话回访，业主基本满意，建议下次上门前提前电话联系",
)
