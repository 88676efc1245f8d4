-- 050 (issue 12): a watermark names a row that exists and was processed. Before this version a
-- forged NOTIFY (any role may call pg_notify) could move a consumer's watermark to a time no row
-- has (2030, say), after which real rows were never processed, across restarts. Such a watermark
-- goes back to the newest row its consumer did process; when there is none the watermark row goes
-- and the consumer starts from the beginning (its work is idempotent: what is done is skipped).

-- feature-builder reads bars; a bar was processed when it has its feature row.
UPDATE system.stream_watermarks w
   SET last_time = COALESCE((SELECT max(f.time) FROM inference_features_5m f
                              WHERE f.symbol = w.symbol AND f.time <= w.last_time), '-infinity'),
       updated_at = NOW()
 WHERE w.consumer = 'feature-builder'
   AND NOT EXISTS (SELECT 1 FROM usdcop_m5_ohlcv o WHERE o.symbol = w.symbol AND o.time = w.last_time);

-- decision-maker reads feature rows; a row was processed when every model that trades the symbol
-- has decided it (the oldest of the models' newest decisions).
UPDATE system.stream_watermarks w
   SET last_time = COALESCE((SELECT min(m.last) FROM (SELECT max(i.bar_time) AS last FROM trading.model_inferences i
                              WHERE i.symbol = w.symbol AND i.bar_time <= w.last_time GROUP BY i.model_id) m), '-infinity'),
       updated_at = NOW()
 WHERE w.consumer = 'decision-maker'
   AND NOT EXISTS (SELECT 1 FROM inference_features_5m f WHERE f.symbol = w.symbol AND f.time = w.last_time);

DELETE FROM system.stream_watermarks
 WHERE consumer IN ('feature-builder', 'decision-maker') AND last_time = '-infinity';
