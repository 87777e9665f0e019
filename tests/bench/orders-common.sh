# Shared by summary.sh and repurchase.sh (sourced): the order-line input
# and DuckDB's reading of it.
orders_read="read_csv('\$FILE', header = true, columns = {
       'receipt_id': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'customer_id': 'VARCHAR',
       'sku': 'VARCHAR', 'qty': 'INTEGER', 'unit_price': 'DECIMAL(18,2)'})"
