"""Reference lists for the demo: real districts and streets of Shanghai and nearby cities, people, products."""
from __future__ import annotations

from datetime import time

PASSWORD = "demo"

# (address prefix, streets, weight): the prefix names province/city/district as people write them, so the
# offline geocoder resolves each address to its district. Weights follow where the centre's customers live.
DISTRICTS: list[tuple[str, tuple[str, ...], int]] = [
    ("上海市浦东新区", ("张江路", "世纪大道", "东方路", "金桥路", "川沙路", "锦绣路", "杨高南路", "龙阳路", "高科西路",
                 "花木路", "博山路", "上南路"), 16),
    ("上海市闵行区", ("沪闵路", "七莘路", "虹井路", "古美路", "莲花南路", "都市路", "颛兴路", "银都路", "春申路"), 10),
    ("上海市徐汇区", ("漕溪北路", "天钥桥路", "肇嘉浜路", "宜山路", "龙华中路", "虹梅路", "田林路", "桂林路"), 7),
    ("上海市长宁区", ("天山路", "延安西路", "仙霞路", "古北路", "遵义路", "虹桥路", "娄山关路"), 5),
    ("上海市静安区", ("南京西路", "延平路", "共和新路", "大宁路", "江场路", "汶水路", "西藏北路"), 6),
    ("上海市普陀区", ("真北路", "曹杨路", "长寿路", "中山北路", "桃浦路", "武宁路", "金沙江路"), 6),
    ("上海市虹口区", ("四川北路", "曲阳路", "大连西路", "广粤路", "赤峰路", "临平路"), 4),
    ("上海市杨浦区", ("国定路", "淞沪路", "控江路", "黄兴路", "长阳路", "政通路", "殷行路"), 6),
    ("上海市黄浦区", ("淮海中路", "西藏南路", "复兴中路", "陆家浜路", "中华路", "瞿溪路"), 3),
    ("上海市宝山区", ("牡丹江路", "友谊路", "淞宝路", "共康路", "泰和路", "殷高西路", "沪太路"), 7),
    ("上海市嘉定区", ("城中路", "博乐路", "墨玉路", "曹安公路", "沪宜公路", "清河路"), 5),
    ("上海市松江区", ("人民北路", "荣乐中路", "文诚路", "沪亭北路", "新松江路", "广富林路"), 6),
    ("上海市青浦区", ("城中东路", "公园路", "华腾路", "盈港东路", "嘉松中路"), 4),
    ("上海市奉贤区", ("解放东路", "百齐路", "环城东路", "金海公路"), 3),
    ("上海市金山区", ("卫零路", "龙胜路", "蒙山路", "石化一村路"), 2),
    ("上海市崇明区", ("八一路", "人民路", "翠竹路"), 1),
    ("江苏省苏州市姑苏区", ("人民路", "干将西路", "十全街", "东环路", "三香路"), 4),
    ("江苏省苏州市吴中区", ("东吴北路", "宝带西路", "苏州湾大道", "吴中大道"), 3),
    ("江苏省苏州市虎丘区", ("狮山路", "长江路", "竹园路", "玉山路"), 2),
    ("江苏省苏州市相城区", ("相城大道", "嘉元路", "阳澄湖东路"), 2),
    ("江苏省苏州市吴江区", ("中山南路", "鲈乡南路", "流虹路"), 2),
    ("江苏省苏州市昆山市", ("前进中路", "人民南路", "马鞍山西路", "柏庐南路", "绿地大道"), 5),
    ("江苏省苏州市太仓市", ("上海东路", "郑和中路", "县府东街"), 2),
    ("江苏省苏州市常熟市", ("海虞北路", "黄河路", "衡山路"), 1),
    ("浙江省嘉兴市南湖区", ("中山东路", "广益路", "南湖路", "庆丰路"), 3),
    ("浙江省嘉兴市秀洲区", ("洪兴路", "中山西路", "秀园路"), 2),
    ("浙江省嘉兴市嘉善县", ("施家南路", "解放东路", "晋阳东路"), 2),
    ("浙江省嘉兴市平湖市", ("胜利路", "新华中路", "当湖路"), 1),
    ("浙江省嘉兴市海宁市", ("海州西路", "文宗路", "水月亭西路"), 1),
    ("浙江省杭州市西湖区", ("文三路", "天目山路", "古墩路", "教工路", "西溪路"), 4),
    ("浙江省杭州市上城区", ("解放路", "庆春路", "秋涛路", "钱江路"), 3),
    ("浙江省杭州市拱墅区", ("莫干山路", "湖墅南路", "上塘路", "大关路"), 3),
    ("浙江省杭州市滨江区", ("江南大道", "滨盛路", "长河路", "网商路"), 2),
    ("浙江省杭州市余杭区", ("文一西路", "五常大道", "良渚路"), 2),
    ("浙江省杭州市萧山区", ("市心中路", "金城路", "人民路"), 2),
    # Outside every technician's area: the partners take these.
    ("江苏省无锡市梁溪区", ("中山路", "解放南路", "人民中路"), 1),
    ("浙江省湖州市吴兴区", ("红旗路", "凤凰路", "人民路"), 1),
]

RESIDENCES = ("小区", "花园", "公寓", "苑", "新村", "家园", "城", "名邸")
RESIDENCE_WORDS = ("阳光", "绿地", "万科", "金色", "翠湖", "东方", "锦绣", "春江", "世纪", "丽景", "明珠", "碧云",
                   "梅园", "香樟", "嘉和", "和平", "紫薇", "海棠", "御景", "美林")

SURNAMES = ("王王王王李李李李张张张刘刘刘陈陈陈杨杨黄黄赵赵吴吴周周徐徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
            "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈沈姚卢姜崔钟谭陆陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯"
            "龙史陶黎贺顾顾毛郝龚邵万钱钱严武戴莫孔汤")
GIVEN_NAMES = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
               "秀英", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "晓东", "海燕", "文", "斌", "宇", "浩", "婷",
               "雪", "晨", "欣怡", "佳", "俊", "凯", "鹏", "辉", "丹", "玲", "红", "梅", "华", "林", "峰", "玉兰",
               "丽华", "晓明", "志刚", "文静", "佳怡", "子轩", "梓涵", "一诺", "浩然", "雨桐", "思远", "国强",
               "美玲", "海涛", "晓燕", "春梅", "建平", "立新", "卫东", "慧", "琳", "颖", "倩", "蕾", "昊天")
FOREIGN_NAMES = ("David Miller", "Anna Schmidt", "Kenji Tanaka", "Sophie Martin", "James Wilson", "Min-jun Kim",
                 "Laura Rossi", "Thomas Müller")

# Contract customers (行业工程采购用户): companies that buy in bulk and have their own warranty terms.
COMPANY_PLACES = ("上海", "浦东", "申城", "苏州", "昆山", "嘉兴", "杭州", "长三角", "江南", "东方")
COMPANY_WORDS = ("锦程", "华信", "恒通", "瑞丰", "远洋", "天诚", "新联", "宏达", "安居", "万和", "金桥", "汇众",
                 "星河", "博远", "嘉禾", "明德")
COMPANY_KINDS = ("酒店管理有限公司", "物业管理有限公司", "实验学校", "医院", "餐饮管理有限公司", "科技有限公司",
                 "连锁酒店", "养老院", "商务中心", "健身俱乐部")

MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "185", "186", "187",
                   "188", "189", "199")
PURCHASE_CHANNELS = ("京东", "天猫", "苏宁易购", "国美电器", "品牌专卖店", "百安居", "线下门店")
PROJECT_CHANNEL = "工程渠道"

# (username, display name, role)
STAFF = [
    ("agent", "林晓燕", "agent"),
    ("agent2", "周婷", "agent"),
    ("manager", "顾志明", "manager"),
    ("admin", "系统管理员", "admin"),
]

# (username, name, base address, skills, radius km, regions, work start, work end, working days)
TECHNICIANS = [
    ("tech01", "王建国", "上海市浦东新区张江路188号", ("aircon", "water_heater"), 25, (), time(8), time(18), "123456"),
    ("tech02", "李志强", "上海市闵行区七莘路1839号", ("aircon",), 20, (), time(8), time(17), "12345"),
    ("tech03", "张伟", "上海市徐汇区宜山路700号", ("aircon", "purifier"), 20, (), time(9), time(19), "234567"),
    ("tech04", "刘洋", "上海市宝山区友谊路1号", ("water_heater", "purifier"), 20, (), time(8), time(18), "123456"),
    ("tech05", "陈磊", "上海市嘉定区城中路138号", ("aircon", "water_heater"), 25, ("太仓市",), time(8, 30),
     time(17, 30), "12345"),
    ("tech06", "杨帆", "上海市松江区人民北路2001号", ("aircon", "water_heater", "purifier"), 30, ("金山区",),
     time(8), time(20), "1234567"),
    ("tech07", "赵军", "上海市青浦区公园路99号", ("purifier",), 30, (), time(9), time(18), "123456"),
    ("tech08", "黄海峰", "江苏省苏州市姑苏区人民路1001号", ("aircon", "water_heater"), 25,
     ("姑苏区", "吴中区", "虎丘区", "相城区", "吴江区"), time(8), time(18), "123456"),
    ("tech09", "周鹏", "江苏省苏州市昆山市前进中路255号", ("aircon", "purifier"), 30, ("昆山市", "太仓市"),
     time(8), time(18), "234567"),
    ("tech10", "吴斌", "浙江省嘉兴市南湖区中山东路1288号", ("aircon", "water_heater", "purifier"), 35,
     ("嘉兴市",), time(8, 30), time(18), "123456"),
    ("tech11", "徐涛", "浙江省杭州市西湖区文三路398号", ("aircon", "water_heater"), 20, ("杭州市",), time(8),
     time(18), "123456"),
    ("tech12", "孙浩", "浙江省杭州市滨江区江南大道3888号", ("water_heater", "purifier"), 25, ("杭州市",), time(9),
     time(20), "1234567"),
]

WAREHOUSE = ("WH-SH", "上海中心仓库（闵行）")

# (code, name, product line, available, serial prefix)
PRODUCT_MODELS = [
    ("KFR-26GW/BPA1", "1匹变频挂壁式空调", "aircon", True, "AC26"),
    ("KFR-35GW/BPA1", "1.5匹变频挂壁式空调", "aircon", True, "AC35"),
    ("KFR-50LW/BPB3", "2匹变频立柜式空调", "aircon", True, "AC50"),
    ("KFR-72LW/BPB3", "3匹变频立柜式空调", "aircon", False, "AC72"),
    ("JSQ25-13A", "13升恒温燃气热水器", "water_heater", True, "WH13"),
    ("JSQ30-16B", "16升零冷水燃气热水器", "water_heater", True, "WH16"),
    ("DSZF-60E", "60升储水式电热水器", "water_heater", True, "WE60"),
    ("RO-400G", "400G反渗透净水器", "purifier", True, "RO40"),
    ("RO-600G", "600G厨下式反渗透净水器", "purifier", True, "RO60"),
    ("UF-1000", "1000L超滤净水器", "purifier", False, "UF10"),
]

# (code, name, product line, accessory, price, low-stock threshold, warehouse qty, van qty)
PARTS = [
    ("AC-COMP-35", "变频压缩机（1.5匹）", "aircon", False, "1280.00", 2, 8, 0),
    ("AC-FAN-OUT", "室外风扇电机", "aircon", False, "260.00", 3, 14, 1),
    ("AC-FAN-IN", "室内贯流风机", "aircon", False, "180.00", 3, 16, 1),
    ("AC-PCB-MAIN", "空调主控板", "aircon", False, "420.00", 3, 12, 1),
    ("AC-VALVE-4W", "四通阀", "aircon", False, "150.00", 2, 9, 1),
    ("AC-EEV", "电子膨胀阀", "aircon", False, "120.00", 2, 2, 0),
    ("AC-R32-1KG", "R32冷媒（1千克）", "aircon", False, "90.00", 5, 60, 4),
    ("AC-SENSOR-T", "管温传感器", "aircon", False, "35.00", 5, 40, 3),
    ("AC-REMOTE", "空调遥控器", "aircon", True, "45.00", 5, 55, 3),
    ("AC-PIPE-3M", "铜连接管（3米）", "aircon", True, "80.00", 4, 30, 2),
    ("AC-CABLE", "空调电源线", "aircon", True, "30.00", 5, 45, 2),
    ("AC-DRAIN", "排水软管", "aircon", True, "15.00", 5, 80, 4),
    ("WH-IGNITER", "点火针组件", "water_heater", False, "25.00", 5, 50, 4),
    ("WH-FLOW-SENSOR", "水流传感器", "water_heater", False, "60.00", 4, 24, 2),
    ("WH-FAN", "燃气热水器风机", "water_heater", False, "220.00", 2, 7, 1),
    ("WH-GAS-VALVE", "燃气比例阀", "water_heater", False, "180.00", 2, 3, 0),
    ("WH-HEX", "热交换器", "water_heater", False, "460.00", 2, 5, 0),
    ("WH-PCB", "热水器控制板", "water_heater", False, "320.00", 2, 10, 1),
    ("WH-ANODE", "镁棒", "water_heater", False, "40.00", 5, 35, 3),
    ("WH-ELEMENT", "电加热管", "water_heater", False, "130.00", 3, 15, 1),
    ("WH-CONTROLLER", "热水器线控器", "water_heater", True, "85.00", 3, 18, 1),
    ("WH-CABLE", "热水器电源线", "water_heater", True, "25.00", 4, 30, 2),
    ("WH-HOSE", "不锈钢进水软管", "water_heater", True, "20.00", 6, 70, 4),
    ("PU-FILTER-PP", "PP棉滤芯", "purifier", True, "38.00", 10, 120, 6),
    ("PU-FILTER-CTO", "前置活性炭滤芯", "purifier", True, "58.00", 8, 90, 4),
    ("PU-MEMBRANE-400", "RO反渗透膜（400G）", "purifier", False, "399.00", 3, 14, 1),
    ("PU-FILTER-T33", "后置活性炭滤芯", "purifier", True, "48.00", 8, 6, 2),
    ("PU-PUMP", "增压泵", "purifier", False, "260.00", 2, 8, 1),
    ("PU-SOLENOID", "进水电磁阀", "purifier", False, "65.00", 3, 20, 2),
    ("PU-FLOW-RESTRICT", "废水比例器", "purifier", False, "25.00", 4, 30, 2),
    ("PU-FAUCET", "净水龙头", "purifier", True, "90.00", 3, 12, 1),
    ("PU-TUBE", "PE连接水管（5米）", "purifier", True, "10.00", 10, 150, 5),
]

# (code, name, price, minutes)
LABOUR_ITEMS = [
    ("L-DIAG", "上门检测", "0.00", 20),
    ("L-GENERAL", "一般维修", "80.00", 45),
    ("L-AC-COMP", "更换压缩机", "300.00", 180),
    ("L-AC-REFRIG", "检漏补焊并加注冷媒", "150.00", 60),
    ("L-AC-BOARD", "更换空调主控板", "100.00", 45),
    ("L-AC-FAN", "更换风机电机", "120.00", 60),
    ("L-AC-CLEAN", "空调深度清洗", "150.00", 60),
    ("L-AC-MOVE", "空调移机", "260.00", 120),
    ("L-WH-IGN", "更换点火组件", "80.00", 30),
    ("L-WH-FAN", "更换热水器风机", "120.00", 60),
    ("L-WH-VALVE", "更换燃气阀", "120.00", 60),
    ("L-WH-DESCALE", "热交换器清洗除垢", "100.00", 60),
    ("L-PU-FILTER", "更换滤芯", "30.00", 20),
    ("L-PU-MEMBRANE", "更换RO膜", "60.00", 30),
    ("L-PU-PUMP", "更换增压泵", "90.00", 45),
    ("L-INSTALL", "标准安装", "0.00", 90),
]

# (code, zh, en, product line or None for any)
FAULT_CODES = [
    ("AC01", "冷媒泄漏", "Refrigerant leak", "aircon"),
    ("AC02", "压缩机故障", "Compressor failure", "aircon"),
    ("AC03", "主控板故障", "Control board failure", "aircon"),
    ("AC04", "温度传感器故障", "Temperature sensor failure", "aircon"),
    ("AC05", "风机电机故障", "Fan motor failure", "aircon"),
    ("AC06", "滤网脏堵", "Clogged filter", "aircon"),
    ("AC07", "排水不畅导致漏水", "Blocked drain, water leak", "aircon"),
    ("WH01", "点火失败", "Ignition failure", "water_heater"),
    ("WH02", "水流传感器故障", "Water-flow sensor failure", "water_heater"),
    ("WH03", "燃气阀故障", "Gas valve failure", "water_heater"),
    ("WH04", "热交换器结垢", "Scale in the heat exchanger", "water_heater"),
    ("WH05", "电加热管损坏", "Heating element failure", "water_heater"),
    ("WH06", "内胆或接头漏水", "Tank or joint leak", "water_heater"),
    ("PU01", "滤芯寿命到期", "Filter at end of life", "purifier"),
    ("PU02", "RO膜堵塞", "RO membrane clogged", "purifier"),
    ("PU03", "增压泵故障", "Booster pump failure", "purifier"),
    ("PU04", "电磁阀故障", "Solenoid valve failure", "purifier"),
    ("PU05", "接头漏水", "Leaking joint", "purifier"),
    ("GN01", "使用不当", "Misuse", None),
    ("GN02", "安装不当", "Improper installation", None),
    ("GN03", "电源电压异常", "Power supply problem", None),
    ("GN04", "无故障（操作问题）", "No fault found (operating error)", None),
    ("GN05", "外力损坏", "Physical damage", None),
    ("GN06", "鼠咬虫害", "Rodent or pest damage", None),
]

# (name, phone, regions): outside companies for the places no technician covers.
PARTNERS = [
    ("崇明区城桥家电维修服务部", "02159612388", "崇明区"),
    ("常熟市虞山家电服务有限公司", "051252738866", "常熟市,张家港市"),
    ("无锡惠民家电维修中心", "051082716688", "无锡市"),
    ("湖州吴兴安达家电维修部", "057222031199", "湖州市"),
]

# What customers say when they call, per product line.
FAULT_DESCRIPTIONS = {
    "aircon": ("空调不制冷，出风是热的", "室内机漏水，滴到地板上", "开机几分钟后自动停机，显示E1", "外机噪音很大",
               "遥控器失灵，按键没反应", "制热效果差，房间温度上不去"),
    "water_heater": ("打不着火，一直咔哒响", "洗澡时水忽冷忽热", "显示屏报E4故障码", "热水器下方有水滴漏",
                     "电热水器加热很慢", "开热水时有异味"),
    "purifier": ("出水很慢，几乎没有水", "滤芯更换提示灯一直亮", "机器下方漏水", "增压泵一直响不停机",
                 "净水有异味", "废水一直流不停"),
}

# (fault code, diagnosis, resolution, labour codes, parts [(code, qty)]) per product line.
REPAIRS = {
    "aircon": [
        ("AC01", "低压侧焊点泄漏，系统压力不足", "补焊漏点，抽真空后加注冷媒", ("L-AC-REFRIG",),
         (("AC-R32-1KG", 1),)),
        ("AC03", "主控板继电器烧蚀，外机不启动", "更换主控板并试机", ("L-AC-BOARD",), (("AC-PCB-MAIN", 1),)),
        ("AC07", "排水管被异物堵塞", "疏通并更换排水软管", ("L-GENERAL",), (("AC-DRAIN", 1),)),
        ("AC06", "滤网积尘严重，蒸发器脏堵", "清洗滤网与蒸发器", ("L-AC-CLEAN",), ()),
    ],
    "water_heater": [
        ("WH01", "点火针积碳，放电距离不对", "更换点火针组件", ("L-WH-IGN",), (("WH-IGNITER", 1),)),
        ("WH02", "水流传感器卡滞", "更换水流传感器", ("L-GENERAL",), (("WH-FLOW-SENSOR", 1),)),
        ("WH04", "热交换器结垢，出水温度不稳", "清洗除垢并更换镁棒", ("L-WH-DESCALE",), (("WH-ANODE", 1),)),
    ],
    "purifier": [
        ("PU01", "PP棉与前置炭滤芯到期堵塞", "更换两支滤芯并冲洗", ("L-PU-FILTER",),
         (("PU-FILTER-PP", 1), ("PU-FILTER-CTO", 1))),
        ("PU02", "RO膜堵塞，产水量不足", "更换RO膜", ("L-PU-MEMBRANE",), (("PU-MEMBRANE-400", 1),)),
        ("PU05", "快接头老化渗水", "更换连接水管并紧固接头", ("L-GENERAL",), (("PU-TUBE", 1),)),
    ],
}
