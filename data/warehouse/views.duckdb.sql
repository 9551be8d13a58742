-- DuckDB: the relations figures.sql reads, over an export folder (${folder}): one county's
-- folder (`exports/通渭县`) or a glob of many side by side (`exports/*`).
CREATE OR REPLACE VIEW cases AS
    SELECT * FROM read_parquet('${folder}/kind=cases/*/*.parquet', union_by_name = true);
CREATE OR REPLACE VIEW case_events AS
    SELECT * FROM read_parquet('${folder}/kind=case_events/*/*.parquet', union_by_name = true);
CREATE OR REPLACE VIEW warnings AS
    SELECT * FROM read_parquet('${folder}/kind=warnings/*/*.parquet', union_by_name = true);
CREATE OR REPLACE VIEW followups AS
    SELECT * FROM read_parquet('${folder}/kind=followups/*/*.parquet', union_by_name = true);
CREATE OR REPLACE VIEW outreach AS
    SELECT * FROM read_parquet('${folder}/kind=outreach/*/*.parquet', union_by_name = true);
CREATE OR REPLACE VIEW card_actions AS
    SELECT * FROM read_parquet('${folder}/kind=card_actions/*/*.parquet', union_by_name = true);
