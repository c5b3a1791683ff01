"""Form data for the admin pages: a valid submission by default, any field overridable."""
from __future__ import annotations


def technician_form(**overrides) -> dict:
    data = {
        "username": "tech-new", "password": "long-password", "locale": "zh_CN", "display_name": "钱建军",
        "phone": "139 1234 5678", "base_address": "上海市浦东新区张江路188号", "base_lat": "", "base_lon": "",
        "skills": ["aircon", "purifier"], "area_radius_km": "25", "regions": "昆山市，太仓市、 昆山市",
        "working_days": ["1", "2", "3", "4", "5"], "work_start": "08:30", "work_end": "17:30", "active": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def technician_edit_form(technician, **overrides) -> dict:
    """What the edit page posts back unchanged, with overrides."""
    data = {
        "display_name": technician.user.display_name, "phone": technician.phone,
        "base_address": technician.base_address, "base_lat": repr(technician.base_lat),
        "base_lon": repr(technician.base_lon), "skills": list(technician.skills),
        "area_radius_km": str(technician.area_radius_km), "regions": ", ".join(technician.regions),
        "working_days": list(technician.working_days), "work_start": technician.work_start.strftime("%H:%M"),
        "work_end": technician.work_end.strftime("%H:%M"), "active": "y" if technician.active else None,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# A valid new entry per catalogue section, and a valid edit of it: (unique field, create data, edit data).
CATALOGUE_FORMS = {
    "models": ("code", {"code": "kfr-35gw/x1", "name": "1.5匹挂机", "product_line": "aircon",
                        "unit_warranty_months": "12", "accessory_warranty_months": "6", "available": "y"},
               {"name": "1.5匹变频挂机", "unit_warranty_months": "24"}),
    "parts": ("code", {"code": "pu-filter-x", "name": "复合滤芯", "product_line": "purifier", "is_accessory": "y",
                       "unit_price": "68.5", "low_stock_threshold": "4", "active": "y"},
              {"unit_price": "72", "low_stock_threshold": "6"}),
    "labour": ("code", {"code": "l-test", "name": "更换滤芯", "price": "30", "minutes": "20", "active": "y"},
               {"price": "35.50", "minutes": "25"}),
    "faults": ("code", {"code": "pu09", "name_zh": "滤芯堵塞", "name_en": "Clogged filter", "product_line": "",
                        "active": "y"},
               {"name_en": "Filter clogged"}),
    "partners": ("name", {"name": "无锡惠民家电维修中心", "phone": "0510-8271 6688", "regions": "无锡市，江阴市",
                          "active": "y"},
                 {"regions": "无锡市、宜兴市"}),
}
