"""The built-in rules, one module per category of RULES.md (KR, IX, CN, TY, NM, NF, DC, TS,
MG, RT). Each rule is a class registered with :func:`modeler.rules.core.register`;
:mod:`modeler.rules.catalog` imports every module here. The engine (values, registry,
runner, gates, fixes, docs, output) is the rest of :mod:`modeler.rules`.

    keys, relationships  KR    indexes  IX         constraints, functions  CN
    datatypes            TY    names    NM         normalization           NF
    documentation        DC    timestamps  TS      migrations              MG
    pooling              RT
"""
