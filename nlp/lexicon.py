"""Domain additions to the VADER lexicon for talk about cooperation, investment and debt.

VADER was built on social-media English; it does not know that "debt", "dependence" or "delays"
are bad news in this field, nor that "jobs" are good news. Valences follow VADER's -4..4 scale."""

DOMAIN_VALENCE = {
    "debt": -1.6, "debts": -1.6, "indebtedness": -1.8, "dependence": -1.4, "dependent": -1.0,
    "dependency": -1.4, "burden": -1.6, "delays": -1.2, "delayed": -1.0, "delay": -1.0,
    "bottleneck": -1.2, "bottlenecks": -1.2, "opaque": -1.3, "imbalance": -1.2,
    "protests": -1.4, "protest": -1.2, "pollution": -1.8, "exploitation": -2.2, "cancelled": -0.8,
    "shortages": -1.2, "shortage": -1.2, "corruption": -2.4, "sanctions": -1.0, "grab": -1.2,
    "unemployment": -1.8, "layoffs": -1.8, "disappointment": -1.8, "expensive": -0.8,
    "jobs": 1.4, "job": 1.0, "employment": 1.2, "prosperity": 2.2, "mutually": 0.8,
    "win-win": 2.0, "fruitful": 1.8, "strengthen": 1.3, "strengthened": 1.3, "boost": 1.4,
    "boosted": 1.4, "modernise": 1.0, "modernize": 1.0, "opportunities": 1.4, "opportunity": 1.2,
    "transparent": 1.0, "transparency": 0.8, "stable": 1.0, "stability": 1.2, "welcomed": 1.6,
    "welcome": 1.4, "progress": 1.3, "development": 0.6, "connectivity": 0.6,
    # reporting words that VADER scores as praise; in news they are neutral facts
    "agreement": 0.0, "agreements": 0.0, "agreed": 0.0, "signed": 0.0, "share": 0.0,
}
