"""Pure core: the schema snapshot (no Django, no SQLAlchemy)."""

from modeler.schema.model import (
    CheckConstraint,
    Collation,
    Column,
    ColumnType,
    Denormalization,
    Domain,
    DomainCheck,
    EnumType,
    EnumValue,
    Extension,
    Index,
    IndexPart,
    OrderKey,
    Position,
    QueryPattern,
    RawObject,
    Relationship,
    Schema,
    Sequence,
    Settings,
    Table,
    UniqueConstraint,
    normalized,
)

__all__ = [
    "CheckConstraint", "Collation", "Column", "ColumnType", "Denormalization", "Domain",
    "DomainCheck", "EnumType", "EnumValue", "Extension", "Index", "IndexPart", "OrderKey",
    "Position", "QueryPattern", "RawObject", "Relationship", "Schema", "Sequence", "Settings",
    "Table", "UniqueConstraint", "normalized",
]
