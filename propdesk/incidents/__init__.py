"""Emergencies (EM-1, EM-2): who is called, who acknowledged, who arrived on site in time; and
the incident report (EM-3, 《突发事件处理表》) with its approval by company leadership."""
