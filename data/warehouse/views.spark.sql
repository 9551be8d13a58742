-- Spark SQL: the relations figures.sql reads, over an export folder (${folder}): one
-- county's folder or a glob of many side by side (`/data/exports/*`); Spark finds the
-- year=… partitions under each kind=… folder.
--   spark-sql --define folder=/data/exports/* --define from=2026-11-01 \
--             --define to=2026-11-30 -i views.spark.sql -f figures.sql
CREATE OR REPLACE TEMPORARY VIEW cases USING parquet
    OPTIONS (path '${folder}/kind=cases', mergeSchema 'true');
CREATE OR REPLACE TEMPORARY VIEW case_events USING parquet
    OPTIONS (path '${folder}/kind=case_events', mergeSchema 'true');
CREATE OR REPLACE TEMPORARY VIEW warnings USING parquet
    OPTIONS (path '${folder}/kind=warnings', mergeSchema 'true');
CREATE OR REPLACE TEMPORARY VIEW followups USING parquet
    OPTIONS (path '${folder}/kind=followups', mergeSchema 'true');
CREATE OR REPLACE TEMPORARY VIEW outreach USING parquet
    OPTIONS (path '${folder}/kind=outreach', mergeSchema 'true');
CREATE OR REPLACE TEMPORARY VIEW card_actions USING parquet
    OPTIONS (path '${folder}/kind=card_actions', mergeSchema 'true');
