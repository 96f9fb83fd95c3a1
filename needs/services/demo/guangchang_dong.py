"""The needs demo of 广场东社区 (Guangchang East): 14 partner units, all under agreement (the
traffic police's ends within 30 days; the police office renewed an earlier one), and the needs
of a year, 12 of them solved (一年解决 12 件)."""

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
    dispatch,
    finish,
    follow_up,
    rate,
)

PEOPLE = (
    Person("13800000021", "郝大哥", "guangchang-dong"),
    Person("13800000022", "段阿姨", "guangchang-dong", "approved:elderly_care",
           "可以陪老人聊天、代买药品"),
    Person("13800000023", "田师傅", "guangchang-dong", "approved:repairs",
           "水暖工，会修水管和暖气"),
)  # fmt: skip

UNITS = (
    Unit("wuye", "长治市和顺物业服务有限公司", "Changzhi Heshun Property Services", "物业公司",
         "杨海峰", "0355-2155230", "repairs,environment,parking", (
        R("repairs", "公共设施维修", "Repairs of shared facilities", "repairs",
          "工作日 8:00–18:00"),
        R("bays", "车位施划与管理", "Parking bays marked and managed", "parking", "提前预约"),
    ), signs_in=True),
    Unit("police", "太行东街派出所广场东警务室", "Guangchang East police office", "警务室",
         "马警官", "0355-2160110", "neighbours,other", (
        R("disputes", "邻里纠纷调解", "Mediation between neighbours", "neighbours", "工作日"),
        R("anti-fraud", "反诈骗宣传", "Talks on fraud", "other", "每月一次"),
    ), signs_in=True),
    Unit("traffic", "潞州区交警大队太行东街中队", "Luzhou traffic police, Taihang East Street team",
         "机关单位", "冯队长", "0355-2167122", "parking", (
        R("order", "停车秩序整治", "Parking order enforced", "parking", "工作日"),
        R("safety", "交通安全进社区", "Road safety talks", "other", "每季度一次"),
    ), signs_in=True),
    Unit("power", "国网长治供电公司太行东街供电所",
         "State Grid Changzhi, Taihang East Street office",
         "供电所", "宋工", "0355-2173095", "repairs", (
        R("checks", "用电安全检查", "Electrical safety checks", "repairs", "每月第一个周五"),
        R("chargers", "电动车充电桩安装咨询", "Advice on charging points for e-bikes", "repairs",
          "工作日"),
    )),
    Unit("gas", "长治市燃气公司东城营业所", "Changzhi Gas, east town office", "燃气公司", "白师傅",
         "0355-2185119", "repairs", (
        R("gas-checks", "燃气安全入户检查", "Gas safety checks at home", "repairs", "预约上门"),
    )),
    Unit("water", "长治市供水公司东区服务站", "Changzhi Water, east district station", "供水公司",
         "高师傅", "0355-2191234", "repairs", (
        R("leaks", "管网漏水抢修", "Water leaks repaired", "repairs", "24 小时"),
    )),
    Unit("mobile", "中国移动长治太行东街营业厅", "China Mobile, Taihang East Street shop", "营业厅",
         "吴经理", "0355-2100086", "elderly_care", (
        R("phone-class", "老年人智能手机课堂", "Smartphone classes for older people",
          "elderly_care", "每周四下午"),
    ), signs_in=True),
    Unit("law", "山西正和律师事务所", "Shanxi Zhenghe Law Firm", "律师事务所", "郑律师",
         "0355-2228080", "neighbours,other", (
        R("advice", "免费法律咨询", "Free legal advice", "other", "每月第二个周三下午"),
    )),
    Unit("kindergarten", "广场东幼儿园", "Guangchang East Kindergarten", "幼儿园", "闫园长",
         "0355-2036611", "space_or_tool", (
        R("family-room", "亲子活动室开放", "Family activity room opened", "space_or_tool",
          "周六上午"),
    )),
    Unit("pharmacy", "仁和大药房（太行东街店）", "Renhe Pharmacy, Taihang East Street", "药店",
         "潘药师", "0355-2112203", "elderly_care", (
        R("tests", "免费测血压血糖", "Free blood pressure and sugar tests", "elderly_care",
          "每天 8:00–20:00"),
        R("medicine", "送药上门", "Medicine delivered home", "elderly_care", "每天 9:00–18:00"),
    )),
    Unit("health", "太行东街社区卫生服务中心", "Taihang East Street community health centre",
         "社区卫生服务中心", "石医生", "0355-2041120", "elderly_care", (
        R("family-doctor", "家庭医生签约", "Family doctor sign-up", "elderly_care", "工作日"),
        R("rounds", "上门巡诊", "Doctor's home visits", "elderly_care", "每周一、周三上午"),
    )),
    Unit("canteen", "邻里食堂（广场东老年助餐点）", "Neighbourhood canteen for older people",
         "助餐点", "贾大姐", "0355-2133456", "elderly_care", (
        R("meals", "老年助餐", "Meals for older people", "elderly_care", "每天 11:00–13:00"),
        R("meal-delivery", "送餐上门", "Meals delivered home", "elderly_care", "每天中午"),
    )),
    Unit("fire", "潞州区消防救援大队太行东街站",
         "Luzhou fire and rescue, Taihang East Street station",
         "消防救援站", "邢站长", "0355-2119119", "environment,other", (
        R("training", "消防安全培训", "Fire safety training", "other", "每季度一次"),
        R("hazards", "楼道消防隐患排查", "Fire hazards in stairwells removed", "environment",
          "每月一次"),
    )),
    Unit("market-supervision", "潞州区市场监督管理局太行东街所",
         "Luzhou Market Supervision, Taihang East Street office", "机关单位", "韦科长",
         "0355-2012315", "other", (
        R("consumers", "消费维权咨询", "Advice for consumers", "other", "工作日"),
    )),
)  # fmt: skip

PROJECTS = (
    DemoProject("parking", "停车难综合治理", "Tackling the parking shortage",
                "物业、交警和居民一起重新规划车位、错时共享周边单位车位。", "parking",
                ("bays", "order")),
)  # fmt: skip

FIRST_NEEDS = (
    DemoNeed("parking", "小区多年的老问题：晚上车位不够，车辆乱停，把消防通道都堵了。",
             "小区主干道", "13800000021", 75, "20:10", (
        dispatch(13, "unit:traffic"), accept(4),
        finish(200, "重新施划车位 46 个，设置单向通行标识，与周边单位错时共享车位 30 个。"),
        rate(48, 5, "停车终于有序了，感谢交警和物业！"),
    ), ("bays", "order"), "parking"),
    DemoNeed("neighbours", "对门邻居在楼道里堆满纸箱和旧家具，说了好几次不听，还吵了起来。",
             "9号楼2单元", "13800000022", 50, "10:40", (
        dispatch(3, "unit:police"), accept(2),
        finish(30, "社区民警和调解员上门调解，清理了楼道杂物，双方握手言和。"),
        rate(20, 4, "解决了，就是拖了两天。"),
    ), ("disputes",)),
    DemoNeed("repairs", "2号楼外墙瓷砖脱落，掉在单元门口，怕砸到人。", "2号楼南侧", "13800000021",
             20, "08:15", (
        dispatch(1, "unit:wuye"), accept(0.5),
        finish(50, "拉设警戒线，请专业队伍清除松动瓷砖并修补外墙。"),
        rate(24, 5, "处理得及时，很放心。"),
    ), ("repairs",)),
    DemoNeed("elderly_care", "我母亲想学用智能手机和外地的孙子视频，有没有人教？", "",
             "13800000022", 6, "16:00", (dispatch(18, "unit:mobile"), accept(2)),
             ("phone-class",)),
    DemoNeed("environment", "小区中心绿地被踩出一条土路，刮风天黄土飞扬。", "小区中心绿地",
             "13800000021", 1, "07:50"),
)  # fmt: skip

"""The needs of the demo before issue 15 (three months); still part of it."""

YEAR_NEEDS = (
    DemoNeed("repairs", "楼顶防水层老化，下雨天顶楼几户家里漏水。", "11号楼顶楼", "13800000021",
             350, "09:30", (
        dispatch(3, "unit:wuye"), accept(2), finish(120, "重新铺设楼顶防水卷材 260 平方米，"
                                                         "闭水试验合格。"),
        rate(72, 5, "今年雨季再没漏过。"),
    ), ("repairs",)),
    DemoNeed("elderly_care", "老伴糖尿病，想请医生定期上门看看。", "4号楼1单元", "walkin:马奶奶",
             320, "10:00", (
        dispatch(2, "unit:health"), accept(1), finish(50, "签约家庭医生，每周一上门巡诊一次。"),
        follow_up(80, "phone", "satisfied", "电话回访：马奶奶说医生每周都来，很满意。"),
    ), ("family-doctor", "rounds"), contact="0355-2186643"),
    DemoNeed("parking", "小区里新能源车越来越多，没有充电桩，有人飞线充电。", "", "13800000021",
             290, "20:15", (
        dispatch(16, "unit:power"), accept(4), finish(300, "供电所勘察后在地面停车场建成 8 个充电桩"
                                                           "。"),
        rate(48, 5, "再也不用飞线了。"),
    ), ("chargers",)),
    DemoNeed("neighbours", "楼上邻居在阳台养鸽子，粪便落到我家窗台上，沟通几次没用。", "6号楼2单元",
             "13800000022", 260, "16:40", (
        dispatch(3, "unit:police"), accept(2), finish(40, "民警和网格员上门协调，鸽子迁到郊区鸽舍，"
                                                          "阳台做了清洗。"),
        rate(24, 4, "处理了，谢谢。"),
    ), ("disputes",)),
    DemoNeed("elderly_care", "想学用手机挂号、交电费，孩子不在身边没人教。", "", "13800000022", 230,
             "14:00", (
        dispatch(18, "unit:mobile"), accept(2), finish(120, "参加了四次手机课堂，学会了挂号、"
            "交费和视频通话。"),
        rate(20, 5, "老师很有耐心。"),
    ), ("phone-class",)),
    DemoNeed("repairs", "家里燃气灶打不着火，闻着有点煤气味，不敢用。", "9号楼1单元",
             "walkin:闫大爷", 200, "07:50", (
        dispatch(0.5, "unit:gas"), accept(0.5), finish(3, "更换了老化的燃气软管和灶具点火器，"
                                                          "检测无泄漏。"),
        follow_up(72, "visit", "fairly", "上门回访：闫大爷说灶能用了，希望燃气公司每年都来检查。"),
    ), ("gas-checks",), contact="0355-2190077"),
    DemoNeed("environment", "楼道里堆满了杂物和电动车，着火了跑都跑不出去。", "3号楼2单元",
             "13800000023", 170, "19:20", (
        dispatch(14, "unit:fire"), accept(3), finish(30, "消防站和物业清理楼道杂物 2 车，"
                                                         "讲解了电动车进楼的危险。"),
        rate(24, 5, "楼道宽敞了。"),
    ), ("hazards",)),
    DemoNeed("repairs", "小区东侧的自来水管爆了，水漫到路上结冰了。", "小区东侧道路", "13800000023",
             140, "06:30", (
        dispatch(0.5, "unit:water"), accept(0.5), finish(6, "抢修更换爆裂管段，"
            "清除路面积冰并撒了融雪剂。"),
        rate(12, 5, "大冷天连夜抢修，辛苦了。"),
    ), ("leaks",)),
    DemoNeed("other", "网上买的保健品发现是假的，商家不理，想问问怎么维权。", "",
             "13800000021", 110, "15:10", (
        dispatch(4, "unit:market-supervision"), accept(20),
        finish(50, "市场监管所受理投诉，商家已退款。"),
        rate(20, 4, "钱退回来了。"),
    ), ("consumers",)),
    DemoNeed("environment", "12345热线转办：市民反映小区北侧垃圾站满溢，周边有异味。",
             "北侧垃圾站", "system:潞州区12345热线", 3, "09:05",
             (dispatch(2, "unit:wuye"), accept(1))),
)  # fmt: skip

NEEDS = YEAR_NEEDS + FIRST_NEEDS

AGREEMENTS = (
    DemoAgreement("wuye", 400, 3, "共管小区公共设施，居民报修 24 小时内上门"),
    DemoAgreement("police", 700, 1, "警务室民警每周两次到社区值班，联合调解邻里纠纷"),
    DemoAgreement("police", 330, 2, "联合调解邻里纠纷，每月开展一次反诈骗宣传"),
    DemoAgreement("traffic", 350, 1, "共建文明停车秩序，每月联合巡查一次"),
    DemoAgreement("power", 500, 3, "每月第一个周五入户检查用电安全，居民报修优先处理"),
    DemoAgreement("gas", 200, 2, "每年入户燃气安全检查一次，发现隐患当天告知社区"),
    DemoAgreement("water", 600, 2, "管网漏水两小时内到场抢修，计划停水提前一天通知"),
    DemoAgreement("mobile", 150, 1, "每周四下午在社区开设老年人智能手机课堂"),
    DemoAgreement("law", 300, 2, "每月第二个周三下午在社区提供免费法律咨询"),
    DemoAgreement("kindergarten", 250, 1, "周六上午向社区家庭开放亲子活动室"),
    DemoAgreement("pharmacy", 120, 2, "为社区老人免费测血压血糖，行动不便的送药上门"),
    DemoAgreement("health", 450, 3, "家庭医生签约服务进社区，每周两次上门巡诊"),
    DemoAgreement("canteen", 90, 1, "为社区老人提供午间助餐，行动不便的送餐上门"),
    DemoAgreement("fire", 550, 2, "每季度一次消防安全培训，每月排查楼道消防隐患"),
    DemoAgreement("market-supervision", 60, 1, "每季度到社区现场受理消费维权咨询"),
)  # fmt: skip

COMMUNITY = DemoCommunity("guangchang-dong", PEOPLE, UNITS, PROJECTS, NEEDS, AGREEMENTS)
