from samtrygg.core.placeholder import todo

report_list = report_map = map_data = export = detail = delete = restore = todo
