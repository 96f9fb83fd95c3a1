"""The needs demo of 八一社区 (Bayi), the report's flagship loop (群众点单—支部派单—志愿者接单—
居民评单, closed by 回访): 7 partner units, volunteers among its residents (five of them party
members of 八一社区党支部), and 27 needs over the past year, of which 19 of the 20 that count
are solved (95 %): one withdrawn, one closed without rating, six still in hand (two sent
through the party branch: one taken by a member, one waiting for one). Walk-in and phone
residents are filed for by staff; couriers report problems around 城隍庙广场 from its rest
stations."""

from __future__ import annotations

from needs.services.demo.shapes import (
    DemoBranch,
    DemoCommunity,
    DemoNeed,
    DemoProject,
    Person,
    R,
    Unit,
    accept,
    close_unrated,
    decline,
    dispatch,
    finish,
    follow_up,
    note,
    rate,
    take,
    withdraw,
)

PEOPLE = (
    Person("13800000004", "刘师傅", "bayi"),
    Person("13800000031", "赵大妈", "bayi"),
    Person("13800000032", "孟师傅", "bayi", "approved:repairs,environment",
           "退休钳工，会修门锁、水龙头和自行车"),
    Person("13800000033", "程阿姨", "bayi"),
    Person("13800000034", "小魏", "bayi", "approved:environment,other",
           "在读大学生，周末和假期能参加清理、帮骑手指路"),
    Person("13800000035", "杜先生", "bayi"),
    Person("13800000037", "贺老师", "bayi", "approved:elderly_care,neighbours",
           "退休教师，能陪老人聊天、帮忙看材料填表"),
    Person("13800000036", "吕女士", "bayi", "applied:elderly_care",
           "在药店上班，下班后可以给老人送药"),
    Person("13800000038", "韩大姐", "bayi", "approved:elderly_care,neighbours",
           "楼栋长，熟悉各家情况，能上门看望独居老人"),
    Person("13800000039", "郝师傅", "bayi", "approved:repairs,parking",
           "退休电工，会修电路、换灯泡，也能帮忙疏导停车"),
    Person("13800000043", "牛老师", "bayi", "approved:environment,other",
           "退休中学教师，能组织楼道清理、宣传垃圾分类"),
)  # fmt: skip

BRANCH = DemoBranch(
    "party",
    "八一社区党支部",
    "Bayi Community Party Branch",
    ("13800000032", "13800000037", "13800000038", "13800000039", "13800000043"),
)
"""The branch 支部派单 sends needs to: 孟师傅, 贺老师, 韩大姐, 郝师傅 and 牛老师 are its
party-member volunteers (小魏, a student, is not)."""
PARTY = "branch:party"

UNITS = (
    Unit("wuye", "长治市紫金物业服务有限公司八一项目部", "Changzhi Zijin Property Services, Bayi of"
                                                         "fice",
         "物业公司", "岳经理", "0355-2051801", "repairs,environment,parking", (
        R("lights", "楼道照明和门禁维修", "Stairwell lights and door entry repairs", "repairs",
          "工作日 8:00–18:00，报修后 24 小时内上门"),
        R("plumbing", "水电维修", "Water and power repairs", "repairs", "24 小时值班电话"),
        R("cleaning", "公共区域保洁和垃圾清运", "Cleaning and rubbish removal", "environment",
          "每天上午"),
    ), signs_in=True),
    Unit("post", "中国邮政长治城隍庙营业所", "China Post, Chenghuangmiao branch", "邮政网点",
         "裴所长", "0355-2020101", "other,elderly_care", (
        R("rest", "暖新驿站歇脚、饮水、充电", "Rest, water and charging at the rest station",
          "other", "营业时间内", "给快递员、外卖骑手和环卫工人免费提供热水、充电和座位。"),
        R("parcels", "老人包裹代寄代取", "Parcels sent and collected for older people",
          "elderly_care", "工作日，提前电话预约"),
    ), signs_in=True),
    Unit("police", "紫金街道派出所城隍庙警务室", "Zijin police, Chenghuangmiao office", "警务室",
         "常警官", "0355-2026110", "neighbours,parking", (
        R("mediation", "邻里纠纷调解", "Mediation between neighbours", "neighbours", "工作日"),
        R("ebike-marks", "电动车防盗登记", "E-bike anti-theft registration", "other",
          "每月第一个周六上午"),
    ), signs_in=True),
    Unit("city", "潞州区城市管理局紫金中队", "Luzhou City Management Bureau, Zijin team",
         "机关单位", "樊队长", "0355-2062312", "environment,parking,repairs", (
        R("street-repairs", "路灯井盖报修协调", "Street lights and manhole covers repaired",
          "repairs", "工作日", "协调市政养护单位维修路灯、井盖、台阶和人行道。"),
        R("clutter", "占道经营和乱堆乱放整治", "Pavements cleared of stalls and clutter",
          "environment", "工作日"),
        R("bike-bays", "非机动车停放区规划", "Bays for bicycles and e-bikes", "parking",
          "工作日"),
    ), signs_in=True),
    Unit("health", "紫金街道社区卫生服务中心", "Zijin community health centre",
         "社区卫生服务中心", "路医生", "0355-2043120", "elderly_care", (
        R("rounds", "上门巡诊", "Doctor's home visits", "elderly_care", "每周二、周五上午"),
        R("family-doctor", "家庭医生签约", "Family doctor sign-up", "elderly_care", "工作日"),
        R("chronic", "慢病随访", "Follow-up for chronic illness", "elderly_care", "每月一次"),
    ), signs_in=True),
    Unit("power", "国网长治供电公司紫金供电所", "State Grid Changzhi, Zijin office", "供电所",
         "秦工", "0355-2171095", "repairs", (
        R("charging-checks", "充电设施安全检查", "Safety checks of charging points", "repairs",
          "每月第一个周五"),
        R("old-wiring", "老旧线路排查", "Old wiring checked", "repairs", "提前预约"),
    )),
    Unit("pharmacy", "大众药房（城隍庙店）", "Dazhong pharmacy, Chenghuangmiao", "药店",
         "范药师", "0355-2115678", "elderly_care", (
        R("blood-pressure", "免费测血压", "Free blood pressure checks", "elderly_care",
          "每天 8:00–21:00"),
        R("medicine", "送药上门", "Medicine delivered home", "elderly_care", "每天 9:00–18:00"),
    )),
)  # fmt: skip

PROJECTS = (
    DemoProject("riders", "暖新驿站·骑手三难", "Rest stations for couriers: water, charging, toilet"
                                               "s",
                "围绕城隍庙广场的 9 个暖“新”驿站，解决快递员、外卖骑手喝水难、充电难、如厕难；"
                "骑手当“移动探头”，路上发现的问题随手报给社区。", "other,repairs",
                ("rest", "charging-checks", "street-repairs")),
    DemoProject("elders", "助老到家", "Help at home for older people",
                "医生上门巡诊、药房送药、志愿者陪伴，照顾独居和行动不便的老人。", "elderly_care",
                ("rounds", "medicine", "chronic")),
)  # fmt: skip

WUYE, POST, POLICE, CITY = "unit:wuye", "unit:post", "unit:police", "unit:city"
HEALTH, POWER, PHARMACY = "unit:health", "unit:power", "unit:pharmacy"
MENG, HE, WEI = "volunteer:13800000032", "volunteer:13800000037", "volunteer:13800000034"

NEEDS = (
    DemoNeed("repairs", "单元门禁坏了半个月，门一直关不上，晚上有陌生人进出。",
             "八一小区 3号楼1单元",
             "13800000031", 350, "08:40", (
        dispatch(2, WUYE), accept(1), finish(30, "更换了门禁电控锁和闭门器，给住户重新登记门卡。"),
        rate(20, 5, "门终于关得上了，晚上睡得踏实。"),
    ), ("lights",), public_summary="单元门禁维修：更换电控锁和闭门器。"),
    DemoNeed("elderly_care", "老伴中风后在家卧床，去医院不方便，想请医生上门看看。",
             "八一小区 6号楼2单元", "walkin:侯奶奶", 330, "10:15", (
        dispatch(1, HEALTH), accept(2), finish(70, "路医生上门巡诊，调整了用药，"
                                                   "签约家庭医生每月随访。"),
        follow_up(75, "visit", "satisfied", "上门回访：侯奶奶说医生每月都来，很放心。"),
    ), ("rounds", "family-doctor"), "elders", contact="0355-2027713"),
    DemoNeed("environment", "城隍庙广场西侧绿化带里堆了好多建筑垃圾，刮风时灰很大。",
             "城隍庙广场西侧", "courier:bayi-post-office", 318, "14:20", (
        dispatch(3, CITY), accept(2), finish(40, "清运建筑垃圾 2 车，联系施工方不再乱倒。"),
        rate(30, 4, "清干净了，谢谢。"),
    ), ("clutter",), contact="13900002101", notify_consent=True,
             public_summary="广场西侧绿化带建筑垃圾已清运。"),
    DemoNeed("neighbours", "楼上装修天天从早上七点开始砸墙，家里有刚出生的孩子，协商不了。",
             "八一小区 2号楼3单元", "13800000033", 300, "19:30", (
        dispatch(14, POLICE), accept(3),
        finish(26, "警务室和物业一起上门，约定装修时间为 8:30–12:00、14:00–18:00，双方签字。"),
        rate(24, 5, "调解得很公道，现在安静多了。"),
    ), ("mediation",), public_summary="装修噪音纠纷调解：约定施工时间。"),
    DemoNeed("repairs", "府后街路口的路灯坏了好几盏，晚上送餐骑车经过黑乎乎的，看不清坑。",
             "府后街与城隍庙街路口", "courier:bayi-rider-home", 285, "21:10", (
        dispatch(12, CITY), accept(4), finish(50, "协调市政更换路灯灯头 4 个，填平路面坑洼。"),
        follow_up(80, "phone", "satisfied", "电话回访骑手：路灯都亮了，坑也填了。"),
    ), ("street-repairs",), "riders", contact="13900002102", notify_consent=True,
             public_summary="府后街路口路灯修复。"),
    DemoNeed("elderly_care", "一个人住，血压高，药快吃完了，腿脚不好去不了药店。",
             "八一小区 1号楼2单元", "13800000004", 270, "09:05", (
        dispatch(1, PHARMACY), accept(0.5), finish(5, "药师把药送到家，顺便测了血压，"
                                                      "讲了用药注意事项。"),
        rate(6, 5, "送药还给量血压，太方便了。"),
    ), ("medicine", "blood-pressure"), "elders"),
    DemoNeed("repairs", "厨房水龙头坏了，一直哗哗流水，关不住。", "八一小区 5号楼1单元",
             "walkin:郝大爷", 255, "08:10", (
        dispatch(0.5, MENG), accept(0.5), finish(3, "孟师傅上门换了新的水龙头阀芯。"),
        follow_up(70, "phone", "fairly", "电话回访：水不漏了，郝大爷说师傅来得稍晚了点。"),
    ), (), contact="0355-2031876"),
    DemoNeed("parking", "小区门口人行道上电动车乱停，推婴儿车都过不去。", "八一小区北门",
             "13800000035", 240, "17:45", (
        dispatch(16, CITY), accept(2), finish(90, "在北门东侧施划非机动车停放区 40 个车位，"
                                                  "设置提示牌。"),
        rate(30, 4, "好多了，就是车位还有点少。"),
    ), ("bike-bays",), public_summary="北门人行道施划非机动车停放区。"),
    DemoNeed("other", "驿站的充电柜有两个插口不通电，骑手排队充电。", "城隍庙邮政暖新驿站",
             "courier:bayi-post-office", 225, "12:30", (
        dispatch(2, POWER), accept(20), finish(24, "更换了损坏的插座模块，"
                                                   "检查了整个充电柜的线路。"),
        rate(10, 5, "都能充了，点赞！"),
    ), ("charging-checks",), "riders", contact="13900002103", notify_consent=True,
             public_summary="邮政驿站充电柜维修完成。"),
    DemoNeed("neighbours", "邻居家的狗每天晚上叫，楼里老人睡不好，说了不管用。",
             "八一小区 4号楼", "walkin:钱阿姨", 205, "15:00", (
        dispatch(2, HE), accept(3), finish(50, "贺老师和社区网格员上门沟通，"
                                                 "狗主人晚上把狗关在里屋并加装隔音门帘。"),
        follow_up(96, "visit", "satisfied", "上门回访：晚上安静了，钱阿姨很满意。"),
    ), (), contact="13700003301", contact_consent=True),
    DemoNeed("elderly_care", "父母都八十多了，想签家庭医生，不知道怎么办。", "",
             "13800000033", 175, "11:00", (
        dispatch(4, HEALTH), accept(1), finish(28, "医生上门为两位老人签约家庭医生，"
                                                   "建了健康档案。"),
        rate(20, 5, "在家就办好了。"),
    ), ("family-doctor",), "elders"),
    DemoNeed("repairs", "楼道灯全不亮，老人晚上下楼摔了一跤。", "八一小区 7号楼2单元",
             "13800000035", 160, "20:00", (
        dispatch(12, MENG), decline(2, "需要登高作业，我一个人不安全，请派物业。"),
        dispatch(1, WUYE), accept(1), finish(20, "更换了 1 至 6 楼声控灯共 6 盏。"),
        rate(24, 4, "修好了，希望以后坏了能早点修。"),
    ), ("lights",)),
    DemoNeed("other", "社区能不能组织一次防电信诈骗的讲座？我妈差点被骗了。", "",
             "13800000033", 145, "10:00", (
        withdraw(30, "派出所下周就在党群活动室开讲座，已告诉居民时间，"
                     "不再单独派单。", by_staff=True),
    )),
    DemoNeed("repairs", "城隍庙广场南边人行道的井盖晃动，电动车压上去差点翻车。",
             "城隍庙广场南侧人行道", "courier:bayi-noodles", 130, "13:40", (
        dispatch(3, CITY), accept(2), finish(26, "已协调市政更换井盖底座并加固。"),
        rate(30, 5, "换好了，谢谢社区。"),
    ), ("street-repairs",), "riders", contact="13900002104", notify_consent=True,
             public_summary="广场南侧人行道井盖加固。"),
    DemoNeed("elderly_care", "独居，最近头晕，想有人定期来看看。", "八一小区 8号楼1单元",
             "walkin:韩大爷", 112, "09:30", (
        dispatch(2, HEALTH), accept(2), finish(40, "医生上门检查，纳入慢病随访；"
                                                   "贺老师每周三上门陪聊。"),
        follow_up(72, "phone", "satisfied", "电话回访：韩大爷说医生和贺老师都来过，心里踏实。"),
    ), ("rounds", "chronic"), "elders", contact="0355-2039920", contact_consent=True),
    DemoNeed("environment", "垃圾分类亭周边堆满了纸箱子，没人收拾。", "八一小区南门垃圾分类亭",
             "13800000004", 95, "08:20", (
        dispatch(2, WEI), accept(6), finish(6, "小魏和两名志愿者整理纸箱送去回收站，"
                                               "并在亭边张贴分类提示。"),
        rate(20, 5, "年轻人干活真利索。"),
    ), ("cleaning",), public_summary="南门垃圾分类亭周边整理。"),
    DemoNeed("repairs", "驿站门口台阶缺了一块，晚上骑手推车进出容易绊倒。",
             "骑手之家（城隍庙店）门口",
             "courier:bayi-rider-home", 60, "22:15", (
        dispatch(10, CITY), accept(4), finish(30, "修补了台阶，加装了夜间照明灯。"),
        close_unrated(14 * 24),
    ), ("street-repairs",), "riders", contact="13900002105", notify_consent=True),
    DemoNeed("parking", "小区里的消防通道被私家车堵住，物业劝了也不挪。", "八一小区 2号楼东侧",
             "13800000035", 48, "18:30", (
        dispatch(2, POLICE), accept(1), finish(6, "警务室联系车主挪车，施划消防通道禁停标线。"),
        rate(24, 4, "挪了，希望别再停了。"),
    ), (), public_summary="消防通道施划禁停标线。"),
    DemoNeed("repairs", "暖气不热，家里只有十五六度，老伴咳嗽好几天了。", "八一小区 6号楼3单元",
             "walkin:冯奶奶", 36, "09:45", (
        dispatch(1, WUYE), accept(1), finish(8, "放了暖气片里的空气，清洗了过滤网，"
                                                "室温升到 21 度。"),
        follow_up(76, "phone", "fairly", "电话回访：屋里暖和了，冯奶奶希望供暖季前能提前检查。"),
    ), ("plumbing",), contact="13700003302"),
    DemoNeed("elderly_care", "婆婆刚出院，每天要测血糖，我们上班没人照看。", "八一小区 1号楼3单元",
             "13800000033", 25, "19:00", (
        dispatch(14, HEALTH), accept(1), finish(30, "医生每周二、周五上门测血糖，吕女士帮忙送药。"),
        rate(20, 5, "解决了我们的后顾之忧。"),
    ), ("rounds", "medicine"), "elders"),
    DemoNeed("neighbours", "楼下的烧烤摊油烟大，窗户都不敢开。", "城隍庙街 18号楼下",
             "walkin:蒋阿姨", 18, "16:10", (
        dispatch(2, CITY), accept(3), finish(50, "城管中队督促烧烤摊加装油烟净化器，"
                                                 "并把营业时间限到晚上十点。"),
        follow_up(80, "visit", "satisfied", "上门回访：油烟少多了，蒋阿姨说可以开窗了。"),
    ), ("clutter",), contact="13700003303", contact_consent=True,
             public_summary="烧烤摊加装油烟净化器。"),
    DemoNeed("repairs", "下水道返味，卫生间一股臭味。", "八一小区 5号楼2单元", "walkin:史大爷", 9,
             "10:20", (
        dispatch(2, MENG), accept(1), finish(85, "孟师傅更换了地漏和存水弯，味道没有了。"),
        note(20, "已约好过两天电话回访。"),
    ), (), contact="0355-2035567", contact_consent=True),
    DemoNeed("space_or_tool", "社区腰鼓队想找个地方放鼓和服装，有没有能借的柜子？", "",
             "13800000031", 4, "15:30", (dispatch(18, WUYE), accept(3))),
    DemoNeed("other", "城隍庙广场东侧的公共厕所晚上九点就锁门了，夜里送餐找不到厕所。",
             "城隍庙广场东侧公厕", "courier:bayi-convenience", 1, "22:40", (),
             contact="13900002106", notify_consent=True),
    DemoNeed("repairs", "12345热线转办：城隍庙广场西侧两盏路灯不亮，晚上骑车看不清路。",
             "城隍庙广场西侧", "system:潞州区12345热线", 2, "19:40"),
    DemoNeed("elderly_care", "楼上独居的许奶奶腿脚不便，想请人每周帮她去药店取一次药。",
             "八一小区 3号楼2单元", "13800000031", 3, "09:10", (
        dispatch(1, PARTY), take(2, "13800000038"),
    ), contact_consent=True),
    DemoNeed("environment", "8号楼楼道里堆满了旧家具和纸箱，挡住了消防通道。", "八一小区 8号楼",
             "13800000035", 1, "16:20", (dispatch(2, PARTY),)),
)  # fmt: skip

COMMUNITY = DemoCommunity("bayi", PEOPLE, UNITS, PROJECTS, NEEDS, branches=(BRANCH,))
