-- 001: L0 market data. Bars keyed by their natural identity (symbol, time): the event
-- backbone's watermark is this key, never a sequence (sequences can commit out of order).
CREATE TABLE IF NOT EXISTS usdcop_m5_ohlcv (
    time         TIMESTAMPTZ      NOT NULL,
    symbol       TEXT             NOT NULL DEFAULT 'USD/COP',
    open         DOUBLE PRECISION NOT NULL,
    high         DOUBLE PRECISION NOT NULL,
    low          DOUBLE PRECISION NOT NULL,
    close        DOUBLE PRECISION NOT NULL,
    volume       DOUBLE PRECISION NOT NULL DEFAULT 0,
    source       TEXT             NOT NULL DEFAULT 'unknown',
    ingested_at  TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    PRIMARY KEY (symbol, time),
    -- Last line of defence; the ingester validates (and quarantines) before it inserts.
    CONSTRAINT ohlcv_prices_positive CHECK (open > 0 AND high > 0 AND low > 0 AND close > 0),
    CONSTRAINT ohlcv_high_low CHECK (high >= low)
);

-- Macro series, one wide table per frequency (spec decision 7). fecha_available is when a
-- value may be used: fecha + publication delay, applied when storing (never fecha - delay).
CREATE TABLE IF NOT EXISTS macro_daily (
    fecha                              DATE PRIMARY KEY,
    fecha_available                    DATE NOT NULL,
    comm_agri_coffee_glb_d_coffee      DOUBLE PRECISION,
    comm_metal_gold_glb_d_gold         DOUBLE PRECISION,
    comm_oil_brent_glb_d_brent         DOUBLE PRECISION,
    comm_oil_wti_glb_d_wti             DOUBLE PRECISION,
    crsk_spread_embi_col_d_embi        DOUBLE PRECISION,
    eqty_index_colcap_col_d_colcap     DOUBLE PRECISION,
    finc_bond_yield10y_col_d_col10y    DOUBLE PRECISION,
    finc_bond_yield10y_usa_d_ust10y    DOUBLE PRECISION,
    finc_bond_yield2y_usa_d_dgs2       DOUBLE PRECISION,
    finc_bond_yield5y_col_d_col5y      DOUBLE PRECISION,
    finc_rate_ibr_overnight_col_d_ibr  DOUBLE PRECISION,
    fxrt_index_dxy_usa_d_dxy           DOUBLE PRECISION,
    fxrt_spot_usdclp_chl_d_usdclp      DOUBLE PRECISION,
    fxrt_spot_usdmxn_mex_d_usdmxn      DOUBLE PRECISION,
    polr_policy_rate_col_d_tpm         DOUBLE PRECISION,
    polr_prime_rate_usa_d_prime        DOUBLE PRECISION,
    volt_vix_usa_d_vix                 DOUBLE PRECISION,
    updated_at                         TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS macro_monthly (
    fecha                                    DATE PRIMARY KEY,
    fecha_available                          DATE NOT NULL,
    crsk_sentiment_cci_col_m_cci             DOUBLE PRECISION,
    crsk_sentiment_ici_col_m_ici             DOUBLE PRECISION,
    ftrd_exports_total_col_m_expusd          DOUBLE PRECISION,
    ftrd_imports_total_col_m_impusd          DOUBLE PRECISION,
    ftrd_terms_trade_col_m_tot               DOUBLE PRECISION,
    fxrt_reer_bilateral_col_m_itcr           DOUBLE PRECISION,
    infl_cpi_all_usa_m_cpiaucsl              DOUBLE PRECISION,
    infl_cpi_core_usa_m_cpilfesl             DOUBLE PRECISION,
    infl_cpi_total_col_m_ipccol              DOUBLE PRECISION,
    infl_pce_usa_m_pcepi                     DOUBLE PRECISION,
    labr_unemployment_usa_m_unrate           DOUBLE PRECISION,
    mnys_m2_supply_usa_m_m2sl                DOUBLE PRECISION,
    polr_fed_funds_usa_m_fedfunds            DOUBLE PRECISION,
    prod_industrial_usa_m_indpro             DOUBLE PRECISION,
    rsbp_reserves_international_col_m_resint DOUBLE PRECISION,
    sent_consumer_usa_m_umcsent              DOUBLE PRECISION,
    updated_at                               TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS macro_quarterly (
    fecha                             DATE PRIMARY KEY,
    fecha_available                   DATE NOT NULL,
    gdpp_real_gdp_usa_q_gdp           DOUBLE PRECISION,
    rsbp_current_account_col_q_cacct  DOUBLE PRECISION,
    rsbp_fdi_inflow_col_q_fdiin       DOUBLE PRECISION,
    rsbp_fdi_outflow_col_q_fdiout     DOUBLE PRECISION,
    updated_at                        TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_macro_daily_available     ON macro_daily (fecha_available);
CREATE INDEX IF NOT EXISTS idx_macro_monthly_available   ON macro_monthly (fecha_available);
CREATE INDEX IF NOT EXISTS idx_macro_quarterly_available ON macro_quarterly (fecha_available);
