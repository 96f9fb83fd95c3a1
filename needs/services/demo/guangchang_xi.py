"""The needs demo of 广场西社区 (Guangchang West): "机关合伙人", 8 partner units offering
35 resources, 23 residents' needs in every status, two standing projects."""

from __future__ import annotations

from needs.services.demo.shapes import (
    DemoAgreement,
    DemoCommunity,
    DemoNeed,
    DemoProject,
    Person,
    R,
    Unit,
    accept,
    decline,
    dispatch,
    finish,
    note,
    rate,
    withdraw,
)

PEOPLE = (
    Person("13800000011", "郭阿姨", "guangchang-xi"),
    Person("13800000012", "牛师傅", "guangchang-xi", "approved:repairs,environment",
           "退休电工，会修灯、换开关、通下水"),
    Person("13800000013", "申老师", "guangchang-xi", "approved:elderly_care,neighbours",
           "退休教师，可以陪老人看病、读报聊天"),
    Person("13800000014", "常大爷", "guangchang-xi"),
    Person("13800000015", "秦女士", "guangchang-xi"),
    Person("13800000016", "武小军", "guangchang-xi", "approved:parking,environment",
           "周末有空，可以劝导停车、参加卫生清理"),
    Person("13800000017", "韩阿姨", "guangchang-xi", "applied:elderly_care",
           "会做饭，可以给独居老人送饭"),
    Person("13800000018", "李奶奶", "guangchang-xi"),
    Person("13800000019", "王先生", "guangchang-xi"),
)  # fmt: skip

UNITS = (
    Unit("wuye", "长治市安居物业服务有限公司广场西项目部",
         "Changzhi Anju Property Services, Guangchang West office",
         "物业公司", "郭建军", "0355-2136018", "repairs,environment,parking,space_or_tool", (
        R("lights", "楼道灯具维修更换", "Stairwell light repairs", "repairs",
          "工作日 8:00–18:00，报修后 24 小时内上门", "更换声控灯、灯泡和开关，检查楼道线路。"),
        R("water-power", "水电应急抢修", "Emergency water and power repairs", "repairs",
          "24 小时值班电话", "爆管、停电、跳闸等紧急情况随叫随到。"),
        R("cleaning", "公共区域保洁", "Cleaning of shared areas", "environment", "每天上午",
          "楼道、单元门厅和垃圾站周边的日常保洁。"),
        R("parking", "停车秩序引导", "Parking marshals", "parking",
          "早晚高峰 7:00–9:00、17:30–19:30", "安排保安在小区出入口引导停车、劝离占道车辆。"),
        R("room", "物业会议室借用", "Loan of the property office meeting room", "space_or_tool",
          "周末及工作日晚上，提前一天预约", "可坐 20 人，有桌椅和投影，适合兴趣小组和议事会。"),
        R("bulky", "大件垃圾清运", "Removal of bulky rubbish", "environment", "每周六上午",
          "旧家具、装修垃圾集中清运。"),
    ), signs_in=True),
    Unit("law", "山西太行律师事务所", "Shanxi Taihang Law Firm", "律师事务所", "王晓燕",
         "0355-2218866", "neighbours,other", (
        R("advice", "免费法律咨询", "Free legal advice", "other",
          "每月第一、第三个周三 14:30–17:00，社区党群服务中心",
          "婚姻家庭、劳动、房屋租赁等常见问题。"),
        R("mediation", "邻里纠纷调解", "Mediation between neighbours", "neighbours",
          "工作日，提前预约", "律师和社区调解员一起上门，帮助双方达成协议。"),
        R("contracts", "租房购房合同审查", "Review of tenancy and purchase contracts", "other",
          "提前预约"),
        R("talks", "老年人防诈骗与遗嘱继承讲座", "Talks for older people on fraud and wills",
          "elderly_care", "每季度一次"),
    ), signs_in=True),
    Unit("school", "潞州区太行东街小学", "Taihang East Street Primary School", "小学", "李红梅",
         "0355-2031472", "space_or_tool,other", (
        R("playground", "周末操场开放", "Playground open at weekends", "space_or_tool",
          "周六、周日 7:00–10:00、16:00–19:00", "凭居民身份登记入校锻炼。"),
        R("after-school", "“四点半课堂”课后托管", "After-school club from 4:30", "other",
          "工作日 16:30–18:00", "双职工家庭的孩子放学后由老师看护、辅导作业。"),
        R("holiday-care", "假期公益托管班", "Free holiday day care", "other", "寒暑假工作日"),
        R("classroom", "多功能教室借用", "Loan of the multi-purpose classroom", "space_or_tool",
          "周末，提前三天申请"),
    ), signs_in=True),
    Unit("clinic", "太行东街社区卫生服务站", "Taihang East Street community health station",
         "社区卫生服务站", "张丽", "0355-2045120", "elderly_care", (
        R("home-checks", "上门测量血压血糖", "Blood pressure and sugar checks at home",
          "elderly_care", "每周二、周四上午", "行动不便的老人可预约医生上门。"),
        R("follow-up", "慢病随访", "Follow-up for chronic illness", "elderly_care", "每月一次"),
        R("family-doctor", "家庭医生签约", "Family doctor sign-up", "elderly_care",
          "工作日 8:00–17:00"),
        R("escort", "就医陪诊", "Escort to hospital appointments", "elderly_care",
          "工作日，提前两天预约", "陪同挂号、候诊、取药，适合子女不在身边的老人。"),
        R("health-talks", "健康知识讲座", "Health talks", "other", "每月最后一个周五下午"),
    ), signs_in=True),
    Unit("bank", "长治银行太行东街支行", "Bank of Changzhi, Taihang East Street branch",
         "银行网点", "赵磊", "0355-2027795", "elderly_care,other", (
        R("fraud", "防范电信诈骗宣传", "Talks on phone and online fraud", "other", "每月一次"),
        R("card", "上门激活社保卡", "Social security cards activated at home", "elderly_care",
          "行动不便的老人预约", "工作人员带设备上门办理。"),
        R("phone-pay", "智能手机支付教学", "Learning to pay with a smartphone", "elderly_care",
          "每周三下午，支行大厅"),
        R("rest-corner", "爱心驿站歇脚饮水", "Water and a seat in the branch's rest corner",
          "other", "营业时间内"),
    ), signs_in=True),
    Unit("market", "惠民生活超市（广场西店）", "Huimin supermarket, Guangchang West", "超市",
         "刘芳", "0355-2129930", "elderly_care,other,repairs", (
        R("delivery", "老年人送货上门", "Home delivery for older people", "elderly_care",
          "每天 9:00–20:00，满 30 元"),
        R("supplies", "社区活动物资支持", "Supplies for community events", "other",
          "提前一周联系"),
        R("food-shelf", "临期食品爱心货架", "Free shelf of food near its date", "other",
          "每天 20:00 以后"),
        R("keys", "便民修鞋配钥匙", "Shoe repairs and key cutting", "repairs",
          "每天 9:00–18:00，超市门口"),
    ), signs_in=True),
    Unit("housekeeping", "长治市巧手家政服务有限公司", "Changzhi Qiaoshou Housekeeping", "家政公司",
         "孙丽萍", "0355-2196688", "repairs,elderly_care,environment", (
        R("elderly-cleaning", "独居老人助洁", "Cleaning for older people living alone",
          "elderly_care", "每月两次，公益服务"),
        R("drains", "管道疏通", "Unblocking drains", "repairs", "每天 8:00–20:00"),
        R("appliances", "家电清洗", "Appliance cleaning", "repairs", "提前预约，公益价"),
        R("companion", "住院陪护", "Companion care in hospital", "elderly_care",
          "提前预约，公益价"),
    ), signs_in=True),
    Unit("city", "潞州区城市管理局太行东街中队",
         "Luzhou City Management Bureau, Taihang East Street team",
         "机关单位", "陈志刚", "0355-2060312", "environment,parking,repairs", (
        R("street-repairs", "路灯井盖报修协调", "Street lights and manhole covers repaired",
          "repairs", "工作日", "协调市政养护单位维修路灯、井盖和人行道。"),
        R("clutter", "占道经营和乱堆乱放整治", "Pavements cleared of stalls and clutter",
          "environment", "工作日"),
        R("parking-bays", "违停劝导与车位规划", "Parking enforcement and new bays", "parking",
          "工作日"),
        R("sorting", "垃圾分类宣传指导", "Help with sorting waste", "environment",
          "每月第二个周六上午"),
    ), signs_in=True),
)  # fmt: skip

PROJECTS = (
    DemoProject("lighting", "老旧小区楼道照明改造", "Stairwell lighting for old blocks",
                "把上世纪九十年代老楼的楼道灯统一换成声控 LED 灯：物业出工，城管中队协调市政，"
                "志愿者逐栋排查。", "repairs", ("lights", "water-power", "street-repairs")),
    DemoProject("escort", "助老陪诊", "Escorting older people to the doctor",
                "为子女不在身边的老人预约就医陪诊、上门测血压和住院陪护。", "elderly_care",
                ("escort", "home-checks", "companion")),
)  # fmt: skip

WUYE, LAW, SCHOOL, CLINIC = "unit:wuye", "unit:law", "unit:school", "unit:clinic"
BANK, HOUSEKEEPING, CITY = "unit:bank", "unit:housekeeping", "unit:city"
NIU, SHEN = "volunteer:13800000012", "volunteer:13800000013"

NEEDS = (
    DemoNeed("repairs",
             "3号楼2单元三楼到五楼的楼道灯坏了一个多星期，晚上上下楼只能打手电，老人走着害怕。",
             "3号楼2单元", "13800000011", 88, "09:10", (
        dispatch(2.5, WUYE), accept(1),
        finish(20, "更换了三楼至五楼 3 盏声控 LED 灯，并检查了线路。"),
        rate(12, 5, "修得很快，师傅还顺便把二楼的灯也看了，谢谢！"),
    ), ("lights",), "lighting"),
    DemoNeed("elderly_care", "老伴腿脚不便，下周三要去和平医院复查，孩子在外地，想请人陪着去。",
             "7号楼1单元", "13800000014", 84, "15:30", (
        dispatch(3, CLINIC), accept(2), finish(140, "张医生陪同挂号、候诊、取药，全程约三小时。"),
        rate(20, 5, "张医生全程陪着，太贴心了。"),
    ), ("escort",), "escort"),
    DemoNeed("parking", "小区东门每天晚上都有车停在消防通道上，救护车进不来，希望管一管。",
             "小区东门消防通道", "13800000015", 80, "19:45", (
        dispatch(14, CITY), accept(3),
        finish(52, "在消防通道施划禁停标线、设置提示牌，连续三晚劝导违停车辆。"),
        rate(26, 4, "好多了，偶尔还有人停，希望继续盯着。"),
    ), ("parking-bays", "parking")),
    DemoNeed("neighbours", "楼上邻居家卫生间漏水，渗到我家天花板，协商了几次都没解决。",
             "5号楼3单元", "13800000018", 76, "10:05", (
        dispatch(4, LAW), accept(20),
        finish(70, "律师和物业一起上门查看，确认是楼上防水层老化，"
                   "双方商定由楼上维修并承担粉刷费用。"),
        rate(26, 5, "本来以为要打官司，调解一次就解决了。"),
    ), ("mediation", "water-power")),
    DemoNeed("repairs", "家里暖气片不热，屋里只有十几度。", "2号楼1单元", "13800000014",
             70, "09:00", (withdraw(3, "热力公司已经上门处理好了，不需要了。"),)),
    DemoNeed("environment", "5号楼后面堆了好多旧家具和装修垃圾，快一个月了没人清，招老鼠。",
             "5号楼北侧", "13800000019", 71, "08:40", (
        dispatch(1.5, WUYE), accept(0.5),
        finish(29, "清运旧家具和装修垃圾约 3 车，并对该区域做了消杀。"),
        rate(22, 4, "清干净了，建议以后定期清。"),
    ), ("bulky",)),
    DemoNeed("space_or_tool",
             "社区书法兴趣小组有十几个人，想每周六上午找个地方练字，有没有能借的房间？",
             "", "13800000014", 66, "14:00", (
        dispatch(5, WUYE), accept(18),
        finish(26, "物业会议室每周六 9:00–11:30 留给书法小组，已登记负责人。"),
        rate(40, 5, "地方宽敞，还有桌子，大家很满意。"),
    ), ("room",)),
    DemoNeed("elderly_care", "我一个人住，最近血压不稳，能不能请医生上门量一量？", "4号楼2单元",
             "13800000018", 61, "10:20", (
        dispatch(2, CLINIC), accept(1),
        finish(26, "上门测量血压，调整了用药建议，已签约家庭医生，每月随访。"),
        rate(20, 5, "医生很耐心，讲得很清楚。"),
    ), ("home-checks", "family-doctor"), "escort"),
    DemoNeed("repairs",
             "广场西路口到小区北门那段人行道有块井盖松动，电动车压上去响得厉害，晚上容易绊倒人。",
             "小区北门外人行道", "courier:bayi-rider-home", 55, "16:30", (
        dispatch(16, CITY), accept(2), finish(30, "已协调市政养护更换井盖底座并加固。"),
        rate(28, 4, "修好了，骑车过去不响了。"),
    ), ("street-repairs",), contact="13900001234"),
    DemoNeed("other", "孩子上小学，我们夫妻下班晚，放学后四点半到六点没人接，社区有没有托管？",
             "", "13800000019", 48, "09:00", (
        dispatch(6, SCHOOL), accept(20),
        finish(50, "孩子已报名“四点半课堂”，每个工作日放学后由老师看护到 18:00。"),
        rate(22, 5, "解决了我们家的大难题！"),
    ), ("after-school",)),
    DemoNeed("repairs", "1号楼1单元楼道灯又不亮了，整栋楼都是老式灯，经常坏。", "1号楼1单元",
             "13800000011", 41, "11:15", (
        dispatch(2, NIU), decline(3, "这周在外地，回不来，请派给别人。"),
        dispatch(1, WUYE), accept(1),
        finish(48, "整栋楼换成声控 LED 灯共 12 盏，已纳入楼道照明改造项目。"),
        rate(20, 5, "楼道亮堂了！"),
    ), ("lights",), "lighting"),
    DemoNeed("environment", "小区垃圾站周边的垃圾每天都溢出来，味道很大，苍蝇多。",
             "小区西侧垃圾站", "13800000015", 35, "08:30", (
        dispatch(2, WUYE), accept(1), finish(24, "加清运一次，清洗了垃圾桶。"),
        rate(30, 2, "只清了一次，第二天又满了，没有根本解决。"),
        dispatch(20, CITY), accept(2),
        finish(120, "与环卫所协调改为每天清运两次，增设 4 组分类垃圾桶，开展垃圾分类宣传。"),
        rate(48, 4, "现在干净多了，谢谢一直跟进。"),
    ), ("cleaning", "sorting")),
    DemoNeed("other", "在小区门口健身房办的预付卡，健身房关门了，希望社区帮忙要回卡里的钱。", "",
             "13800000019", 27, "13:00", (
        withdraw(20, "属于消费纠纷，已告知拨打 12315 向市场监管部门投诉，并可预约免费法律咨询。",
                 by_staff=True),
    )),
    DemoNeed("parking", "有人在我家车位上装了地锁，我自己的车反而停不进去。", "地下车库 B-36 车位",
             "13800000019", 9, "09:40", (
        dispatch(3, WUYE), accept(1), finish(26, "联系了装锁的车主，拆除了地锁。"),
        rate(40, 2, "地锁拆了两天又装回去了。"),
    ), ("parking",)),
    DemoNeed("repairs", "厨房下水道堵了，水下不去。", "4号楼2单元", "13800000018", 6, "10:00", (
        dispatch(1, HOUSEKEEPING), accept(0.5), finish(4, "上门疏通了下水管，更换了存水弯。"),
    ), ("drains",)),
    DemoNeed("elderly_care", "社保卡要激活，我腿脚不方便，去不了银行。", "7号楼1单元",
             "13800000014", 4, "15:00", (
        dispatch(18, BANK), accept(1),
        finish(26, "工作人员上门为老人激活了社保卡，并讲解了使用方法。"),
    ), ("card",)),
    DemoNeed("repairs", "单元门的门禁坏了，门关不上，外人随便进。", "3号楼2单元", "13800000011", 5,
             "09:20", (
        dispatch(1, WUYE), accept(2), note(5, "已电话告诉居民：门禁配件两天后到货。"),
    )),
    DemoNeed("elderly_care", "楼下的冯奶奶八十多岁了，下周要去市人民医院复查，想找人陪她去。",
             "6号楼1单元", "13800000015", 3, "14:10", (dispatch(20, SHEN), accept(3)),
             (), "escort"),
    DemoNeed("neighbours", "楼上住户晚上十一点以后还在跳绳、拖椅子，孩子睡不好，沟通没有效果。",
             "2号楼3单元", "13800000019", 2, "10:30", (dispatch(5, LAW), accept(16)),
             ("mediation",)),
    DemoNeed("environment", "广场西路的绿化带里有人私自种菜、堆放杂物，影响环境。",
             "广场西路绿化带", "staff", 2, "16:00", (dispatch(1, CITY),)),
    DemoNeed("repairs", "家里水龙头一直滴水，拧不紧。", "4号楼2单元", "13800000018", 1, "09:30",
             (dispatch(3, NIU),)),
    DemoNeed("repairs", "小区南门快递柜旁边的路灯坏了，晚上取件看不清台阶，我送件时差点摔一跤。",
             "小区南门快递柜", "courier:bayi-post-office", 1, "18:20"),
    DemoNeed("other", "电动车越来越多，小区里没有充电桩，有人从楼上拉电线下来充电，很危险。", "",
             "13800000015", 1, "20:05"),
)  # fmt: skip

AGREEMENTS = (
    DemoAgreement("wuye", 200, 2, "物业与社区共建“机关合伙人”服务站，每周一次联合走访"),
    DemoAgreement("city", 100, 1, "共同整治占道经营和楼道堆物，每月联合清理一次"),
)  # fmt: skip

COMMUNITY = DemoCommunity("guangchang-xi", PEOPLE, UNITS, PROJECTS, NEEDS, AGREEMENTS)
