"""The design store: projects, members, designs and the design elements they hold.

The store follows the rules the product preaches: ``created_at``/``updated_at`` on every
model, a deliberate ``on_delete`` on every FK, uniqueness and checks as database constraints,
indexes for the lookups the views make.

Design elements belong to a :class:`Design` (a project's main working design, later one per
proposal), carry a stable ``uid`` that never changes on rename and an integer ``version`` for
optimistic locking. Ordered lists of column references (an FK's columns, an index's parts) are
stored as JSON lists of column uids on the element row: they are read whole, in order, with the
element, and keeping them inline lets a 1,000-table snapshot load in a handful of queries. The
services validate every uid against the design before saving.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual

from modeler.schema import model as sm

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1–50 lowercase letters, digits or hyphens, not starting or ending with a hyphen.",
)


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# The PostgreSQL majors a project may target (its CHECK, the new-project form's choices; the
# live import brings a server's version within them: modeler.web.importing.server_pg_version)
PG_VERSIONS = range(12, 19)


class Project(TimeStamped):
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=50, unique=True, validators=[slug_validator])
    description = models.TextField(blank=True)
    pg_version = models.PositiveSmallIntegerField(default=16)
    provider = models.CharField(max_length=10, choices=_choices(sm.PROVIDERS), default="generic")
    pk_policy = models.CharField(max_length=10, choices=_choices(sm.PK_POLICIES),
                                 default="identity")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_projects")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(pg_version__gte=PG_VERSIONS[0])
                                   & Q(pg_version__lte=PG_VERSIONS[-1]),
                                   name="ck_project_pg_version"),
            models.CheckConstraint(condition=Q(provider__in=sm.PROVIDERS),
                                   name="ck_project_provider"),
            models.CheckConstraint(condition=Q(pk_policy__in=sm.PK_POLICIES),
                                   name="ck_project_pk_policy"),
        ]
        indexes = [models.Index(fields=["owner"], name="ix_project_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def settings(self) -> sm.Settings:
        return sm.Settings(pg_version=self.pg_version, provider=self.provider,  # type: ignore[arg-type]  # its choices are the Literal
                           pk_policy=self.pk_policy)  # type: ignore[arg-type]  # its choices are the Literal


class Membership(TimeStamped):
    class Role(models.TextChoices):
        OWNER = "owner"
        EDITOR = "editor"
        REVIEWER = "reviewer"
        VIEWER = "viewer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="uq_membership_project_user"),
            models.CheckConstraint(condition=Q(role__in=["owner", "editor", "reviewer", "viewer"]),
                                   name="ck_membership_role"),
        ]
        indexes = [models.Index(fields=["user"], name="ix_membership_user")]


class Design(TimeStamped):
    """A working design: the project's main one, or (later) one per proposal."""

    class Kind(models.TextChoices):
        MAIN = "main"
        PROPOSAL = "proposal"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="designs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MAIN)
    # Bumped on every change; cheap polling compares it (ETag) instead of rendering.
    revision = models.PositiveBigIntegerField(default=0)
    # A merged or closed proposal's design is kept for history but no longer edited.
    locked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=Q(kind="main"),
                                    name="uq_design_one_main_per_project"),
            models.CheckConstraint(condition=Q(kind__in=["main", "proposal"]),
                                   name="ck_design_kind"),
        ]
        indexes = [models.Index(fields=["project", "kind"], name="ix_design_project_kind")]


class Element(TimeStamped):
    """Common fields of every design element."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def _uid_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["design", "uid"], name=f"uq_{name}_design_uid")


class DbTable(Element):
    namespace = models.CharField(max_length=63, default="public")
    name = models.CharField(max_length=63)
    comment = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=_choices(sm.TABLE_KINDS), default="entity")
    delete_strategy = models.CharField(max_length=4, choices=_choices(sm.DELETE_STRATEGIES),
                                       default="hard")
    subject_area = models.CharField(max_length=100, blank=True)
    color = models.CharField(max_length=7, blank=True,
                             validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")])
    pos_x = models.FloatField(null=True, blank=True)
    pos_y = models.FloatField(null=True, blank=True)
    pk_name = models.CharField(max_length=63, blank=True)
    # declarative partitioning (see modeler.schema.model.Table)
    partition_by = models.TextField(null=True, blank=True)
    partition_of = models.UUIDField(null=True, blank=True)  # the parent table's uid
    partition_bound = models.TextField(blank=True, default="")
    expected_rows = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "web_table"
        constraints = [
            _uid_unique("table"),
            models.UniqueConstraint(fields=["design", "namespace", "name"],
                                    name="uq_table_design_namespace_name"),
            models.CheckConstraint(condition=Q(kind__in=sm.TABLE_KINDS), name="ck_table_kind"),
            models.CheckConstraint(condition=Q(delete_strategy__in=sm.DELETE_STRATEGIES),
                                   name="ck_table_delete_strategy"),
            models.CheckConstraint(condition=Q(pos_x__isnull=True, pos_y__isnull=True)
                                   | Q(pos_x__isnull=False, pos_y__isnull=False),
                                   name="ck_table_position_pair"),
        ]

    def __str__(self) -> str:
        return self.name if self.namespace == "public" else f"{self.namespace}.{self.name}"


class EnumType(Element):
    namespace = models.CharField(max_length=63, default="public")
    name = models.CharField(max_length=63)
    values = models.JSONField(default=list)  # [{"uid": ..., "label": ...}] in order
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            _uid_unique("enumtype"),
            models.UniqueConstraint(fields=["design", "namespace", "name"],
                                    name="uq_enumtype_design_namespace_name"),
        ]


class Domain(Element):
    namespace = models.CharField(max_length=63, default="public")
    name = models.CharField(max_length=63)
    base_type = models.JSONField()  # a ColumnType, encoded as in the snapshot JSON
    not_null = models.BooleanField(default=False)
    default = models.TextField(null=True, blank=True)
    checks = models.JSONField(default=list)  # [{"name": ..., "expression": ...}]
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            _uid_unique("domain"),
            models.UniqueConstraint(fields=["design", "namespace", "name"],
                                    name="uq_domain_design_namespace_name"),
        ]


class DbColumn(Element):
    table = models.ForeignKey(DbTable, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(max_length=63)
    position = models.PositiveIntegerField()
    type_kind = models.CharField(max_length=8, choices=_choices(sm.TYPE_KINDS), default="builtin")
    type_name = models.CharField(max_length=200)
    length = models.PositiveIntegerField(null=True, blank=True)
    precision = models.PositiveSmallIntegerField(null=True, blank=True)
    scale = models.SmallIntegerField(null=True, blank=True)
    array_dims = models.PositiveSmallIntegerField(default=0)
    enum_type = models.ForeignKey(EnumType, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="columns")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="columns")
    nullable = models.BooleanField(default=False)
    default = models.TextField(null=True, blank=True)
    identity = models.CharField(max_length=10, choices=_choices(sm.IDENTITIES), blank=True)
    generated = models.TextField(null=True, blank=True)
    pk_order = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    null_meaning = models.TextField(blank=True)
    searchable = models.CharField(max_length=10, choices=_choices(sm.SEARCHABLE), default="none")
    frequently_queried = models.BooleanField(default=False)
    denormalized = models.JSONField(null=True, blank=True)  # source_of_truth/mechanism/why
    collation = models.CharField(max_length=300, null=True, blank=True)  # a reference
    backfill = models.TextField(null=True, blank=True)  # SQL for existing rows (MG-09)
    compression = models.CharField(max_length=4, choices=_choices(sm.COMPRESSIONS), blank=True)
    # an identity's sequence options that are not PostgreSQL's defaults (start, increment...)
    identity_options = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "web_column"
        ordering = ["table", "position"]
        constraints = [
            _uid_unique("column"),
            models.UniqueConstraint(fields=["table", "name"], name="uq_column_table_name"),
            models.CheckConstraint(condition=Q(type_kind__in=sm.TYPE_KINDS),
                                   name="ck_column_type_kind"),
            models.CheckConstraint(
                condition=(Q(type_kind="enum", enum_type__isnull=False, domain__isnull=True)
                           | Q(type_kind="domain", domain__isnull=False, enum_type__isnull=True)
                           | (Q(type_kind__in=["builtin", "custom"], enum_type__isnull=True,
                                domain__isnull=True))),
                name="ck_column_type_ref"),
            models.CheckConstraint(condition=Q(identity__in=["", "always", "by default"]),
                                   name="ck_column_identity"),
            models.CheckConstraint(condition=Q(searchable__in=sm.SEARCHABLE),
                                   name="ck_column_searchable"),
            models.CheckConstraint(condition=Q(identity="") | Q(nullable=False),
                                   name="ck_column_identity_not_null"),
        ]
        indexes = [
            models.Index(fields=["design", "table", "position"], name="ix_column_design_table"),
            models.Index(fields=["enum_type"], name="ix_column_enum_type"),
            models.Index(fields=["domain"], name="ix_column_domain"),
        ]


class Relationship(Element):
    name = models.CharField(max_length=63)
    child_table = models.ForeignKey(DbTable, on_delete=models.CASCADE,
                                    related_name="outgoing")
    child_columns = models.JSONField()  # [column uid, ...] in order
    parent_table = models.ForeignKey(DbTable, on_delete=models.CASCADE,
                                     related_name="incoming")
    parent_columns = models.JSONField()
    cardinality = models.CharField(max_length=12, choices=_choices(sm.CARDINALITIES),
                                   default="one-to-many")
    optional = models.BooleanField(default=False)
    on_delete = models.CharField(max_length=11, choices=_choices(sm.FK_ACTIONS))
    on_update = models.CharField(max_length=11, choices=_choices(sm.FK_ACTIONS))
    deferrable = models.BooleanField(default=False)
    initially_deferred = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    match = models.CharField(max_length=6, choices=_choices(sm.FK_MATCHES), default="SIMPLE")

    class Meta:
        constraints = [
            _uid_unique("relationship"),
            # constraint names are unique per table (partitions share their parent's)
            models.UniqueConstraint(fields=["design", "child_table", "name"],
                                    name="uq_relationship_design_child_name"),
            models.CheckConstraint(condition=Q(on_delete__in=sm.FK_ACTIONS),
                                   name="ck_relationship_on_delete"),
            models.CheckConstraint(condition=Q(on_update__in=sm.FK_ACTIONS),
                                   name="ck_relationship_on_update"),
            models.CheckConstraint(condition=Q(cardinality__in=sm.CARDINALITIES),
                                   name="ck_relationship_cardinality"),
            models.CheckConstraint(condition=Q(initially_deferred=False) | Q(deferrable=True),
                                   name="ck_relationship_deferred_needs_deferrable"),
            models.CheckConstraint(condition=Q(match__in=sm.FK_MATCHES),
                                   name="ck_relationship_match"),
        ]
        indexes = [
            models.Index(fields=["child_table"], name="ix_relationship_child_table"),
            models.Index(fields=["parent_table"], name="ix_relationship_parent_table"),
        ]


class DbIndex(Element):
    table = models.ForeignKey(DbTable, on_delete=models.CASCADE, related_name="indexes")
    name = models.CharField(max_length=63)
    parts = models.JSONField()  # [IndexPart as in the snapshot JSON]
    unique = models.BooleanField(default=False)
    method = models.CharField(max_length=6, choices=_choices(sm.INDEX_METHODS), default="btree")
    where = models.TextField(null=True, blank=True)
    include = models.JSONField(default=list)  # [column uid]
    nulls_not_distinct = models.BooleanField(default=False)
    comment = models.TextField(blank=True)

    class Meta:
        db_table = "web_index"
        constraints = [
            _uid_unique("index"),
            models.CheckConstraint(condition=Q(method__in=sm.INDEX_METHODS),
                                   name="ck_index_method"),
        ]
        indexes = [models.Index(fields=["table"], name="ix_index_table")]


class Constraint(Element):
    """A table's UNIQUE or CHECK constraint (PostgreSQL keeps both in pg_constraint too)."""

    class Kind(models.TextChoices):
        UNIQUE = "unique"
        CHECK = "check"

    table = models.ForeignKey(DbTable, on_delete=models.CASCADE, related_name="constraints")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    name = models.CharField(max_length=63)
    columns = models.JSONField(default=list)  # unique: [column uid]
    expression = models.TextField(blank=True)  # check
    nulls_not_distinct = models.BooleanField(default=False)
    deferrable = models.BooleanField(default=False)
    initially_deferred = models.BooleanField(default=False)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            _uid_unique("constraint"),
            models.CheckConstraint(condition=Q(kind="unique") | ~Q(expression=""),
                                   name="ck_constraint_check_has_expression"),
            models.CheckConstraint(condition=Q(kind__in=["unique", "check"]),
                                   name="ck_constraint_kind"),
        ]
        indexes = [models.Index(fields=["table"], name="ix_constraint_table")]


class QueryPattern(Element):
    table = models.ForeignKey(DbTable, on_delete=models.CASCADE, related_name="query_patterns")
    name = models.CharField(max_length=63)
    equality = models.JSONField(default=list)  # [column uid]
    range_column = models.UUIDField(null=True, blank=True)
    order_by = models.JSONField(default=list)  # [{"column": uid, "descending": bool}]
    hot = models.BooleanField(default=False)

    class Meta:
        constraints = [
            _uid_unique("querypattern"),
            models.UniqueConstraint(fields=["table", "name"], name="uq_querypattern_table_name"),
        ]
        indexes = [models.Index(fields=["table"], name="ix_querypattern_table")]


class Extension(Element):
    name = models.CharField(max_length=63)
    namespace = models.CharField(max_length=63, blank=True)

    class Meta:
        constraints = [
            _uid_unique("extension"),
            models.UniqueConstraint(fields=["design", "name"], name="uq_extension_design_name"),
        ]


class Sequence(Element):
    namespace = models.CharField(max_length=63, default="public")
    name = models.CharField(max_length=63)
    data_type = models.CharField(max_length=20, default="bigint")
    start = models.BigIntegerField(null=True, blank=True)
    increment = models.BigIntegerField(null=True, blank=True)
    min_value = models.BigIntegerField(null=True, blank=True)
    max_value = models.BigIntegerField(null=True, blank=True)
    cache = models.BigIntegerField(null=True, blank=True)
    cycle = models.BooleanField(default=False)
    owned_by_table = models.UUIDField(null=True, blank=True)
    owned_by_column = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            _uid_unique("sequence"),
            models.UniqueConstraint(fields=["design", "namespace", "name"],
                                    name="uq_sequence_design_namespace_name"),
        ]


class Collation(Element):
    namespace = models.CharField(max_length=63, default="public")
    name = models.CharField(max_length=63)
    provider = models.CharField(max_length=7, choices=_choices(sm.COLLATION_PROVIDERS),
                                default="libc")
    locale = models.TextField(null=True, blank=True)
    lc_collate = models.TextField(null=True, blank=True)
    lc_ctype = models.TextField(null=True, blank=True)
    deterministic = models.BooleanField(default=True)
    rules = models.TextField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            _uid_unique("collation"),
            models.UniqueConstraint(fields=["design", "namespace", "name"],
                                    name="uq_collation_design_namespace_name"),
            models.CheckConstraint(condition=Q(provider__in=sm.COLLATION_PROVIDERS),
                                   name="ck_collation_provider"),
        ]


class RawObject(Element):
    """SQL the model does not represent (imported views, functions), kept in file order."""

    kind = models.CharField(max_length=30)
    namespace = models.CharField(max_length=63, default="public")
    name = models.CharField(max_length=200)
    sql = models.TextField()
    # the search_path the SQL was written under (modeler.schema.model.RawObject); null: unknown
    search_path = models.TextField(null=True, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [_uid_unique("rawobject")]
        ordering = ["position"]


class Activity(TimeStamped):
    """One recorded change: who, what, when, and the element before and after (JSON)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    action = models.CharField(max_length=40)  # e.g. table.add, column.update
    summary = models.CharField(max_length=300)
    target_uid = models.CharField(max_length=36, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    design_revision = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"], name="ix_activity_project"),
                   models.Index(fields=["design"], name="ix_activity_design"),
                   models.Index(fields=["actor"], name="ix_activity_actor")]


class ViewPrefs(TimeStamped):
    """Diagram view options remembered per user and project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    options = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"],
                                               name="uq_viewprefs_project_user")]
        indexes = [models.Index(fields=["user"], name="ix_viewprefs_user")]


class Waiver(TimeStamped):
    """A written justification for a JUSTIFY finding; it lapses when the target changes
    (its ``fingerprint`` no longer matches the target's definition)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="waivers")
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="waivers")
    rule = models.CharField(max_length=10)
    target_key = models.CharField(max_length=200)
    target_path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    justification = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["design", "rule", "target_key"],
                                    name="uq_waiver_design_rule_target"),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("justification"), 20),
                name="ck_waiver_justification_length"),
        ]
        indexes = [models.Index(fields=["project"], name="ix_waiver_project"),
                   models.Index(fields=["author"], name="ix_waiver_author")]


class RuleSetting(TimeStamped):
    """A project's level for one rule (raise: any editor role; lower: owner, with reason)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rule_settings")
    rule = models.CharField(max_length=10)
    level = models.CharField(max_length=8)
    reason = models.TextField(blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "rule"], name="uq_rulesetting_project_rule"),
            models.CheckConstraint(condition=Q(level__in=["block", "justify", "advise"]),
                                   name="ck_rulesetting_level"),
        ]
        indexes = [models.Index(fields=["set_by"], name="ix_rulesetting_set_by")]


class Version(TimeStamped):
    """An immutable, numbered snapshot of the main design (one Alembic revision)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    message = models.TextField()
    # rollout/rollback notes (backup, pre-checks, how to roll back): what DC-03 asks of a
    # destructive version, apart from the message
    notes = models.TextField(blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    schema_json = models.TextField()  # canonical snapshot JSON
    baseline = models.BooleanField(default=False)  # imported, already deployed
    waivers = models.JSONField(default=list)  # waivers in force when it was saved
    findings = models.JSONField(default=list)  # the rule report at save time

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"],
                                    name="uq_version_project_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ck_version_number"),
        ]
        indexes = [models.Index(fields=["author"], name="ix_version_author")]


class PendingImport(TimeStamped):
    """A parsed import awaiting confirmation (the preview step). Holds the snapshot and the
    warnings, never the source URL or credentials; deleted once confirmed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=50, validators=[slug_validator])
    source = models.CharField(max_length=300)  # e.g. "sql: a.sql, b.sql" or "live database"
    schema_json = models.TextField()
    warnings = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    # a live import's server (``server_version_num``): the project it creates targets that
    # PostgreSQL version, as ``import_schema --url``'s does
    server_version = models.IntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="ix_pendingimport_user")]

    @property
    def target_pg_version(self) -> int | None:
        """The PostgreSQL version a project this import creates targets (a live import's:
        its server's), None for the projects' default."""
        if self.server_version is None:
            return None
        from modeler.web.importing import server_pg_version

        return server_pg_version(self.server_version)


class ImportJob(TimeStamped):
    """One step of a web import run in the background: reading the input into a preview
    (``parse``) or creating the project from a preview (``create``).

    The row is the job's whole state, so that any process can answer the page's polls: the
    worker writes its stage and ``done`` of ``total`` (``unit``: what is counted; empty when
    the numbers only measure work) a few times a second, and ``heartbeat_at`` at least every
    few seconds; a job whose heartbeat stops is shown as failed (its worker died: nothing was
    created). Never holds the input, the URL or credentials."""

    class Kind(models.TextChoices):
        PARSE = "parse"
        CREATE = "create"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=50, validators=[slug_validator])
    source = models.CharField(max_length=300)
    # the preview: made by a parse job, read (and deleted on success) by a create job
    pending = models.ForeignKey(PendingImport, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="jobs")
    stage = models.CharField(max_length=200, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    unit = models.CharField(max_length=30, blank=True)
    error = models.TextField(blank=True)
    statement = models.TextField(blank=True)  # the statement a syntax error points at
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField()
    # the task framework's result id (asked while the job is queued: a worker that died
    # before the job ran shows the job failed at once)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["parse", "create"]),
                                   name="ck_importjob_kind"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "cancelled"]),
                name="ck_importjob_status"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="ix_importjob_user_status"),
                   models.Index(fields=["pending"], name="ix_importjob_pending")]

    def __str__(self) -> str:
        return f"{self.kind} {self.slug} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int | None:
        """How far, 0–100; None when the stage has no measure."""
        if not self.total:
            return None
        return min(100, 100 * self.done // self.total)


class UndoStep(models.Model):
    """One of a user's own edits of a design, as the elements it touched before and after
    (partial snapshots: only the top-level elements the edit changed), so that undo and
    redo can apply the inverse through the write path (:mod:`modeler.web.undo`). ``undone``
    steps form the user's redo stack; a new edit deletes them."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True,
                                 related_name="+")
    action = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    uids = models.JSONField(default=list)
    before = models.JSONField()
    after = models.JSONField()
    design_revision = models.PositiveBigIntegerField()  # the revision the edit wrote
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["design", "user", "undone"], name="ix_undostep_stack")]


class RehearsalRun(TimeStamped):
    """One rehearsal (issue #19) of a saved version or of a proposal: the report as JSON
    (:func:`modeler.rehearsal.report_dict`), REHEARSAL.md as rendered when it finished, the
    facts the rules use, who ran it and when (:mod:`modeler.web.rehearsals`)."""

    class Status(models.TextChoices):
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"
        ERROR = "error"  # it could not run (no server, a crash): ``error`` says why

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    proposal = models.ForeignKey("review.Proposal", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(max_length=200, blank=True)
    rows_scale = models.FloatField()
    server = models.CharField(max_length=200, blank=True)
    report = models.JSONField(default=dict)
    markdown = models.TextField(blank=True)
    facts = models.JSONField(default=dict)  # modeler.web.rehearsals.facts_record
    error = models.TextField(blank=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "passed", "failed", "error"]),
                name="ck_rehearsalrun_status"),
            models.CheckConstraint(
                condition=Q(version__isnull=True, proposal__isnull=False)
                | Q(version__isnull=False, proposal__isnull=True),
                name="ck_rehearsalrun_one_target"),
            models.CheckConstraint(condition=Q(rows_scale__gt=0),
                                   name="ck_rehearsalrun_rows_scale"),
        ]
        indexes = [
            models.Index(fields=["project", "version", "-started_at"],
                         name="ix_rehearsalrun_version"),
            models.Index(fields=["proposal", "-started_at"], name="ix_rehearsalrun_proposal"),
            models.Index(fields=["ran_by"], name="ix_rehearsalrun_ran_by"),
        ]

    def __str__(self) -> str:
        what = f"version {self.version_id}" if self.version_id else f"proposal {self.proposal_id}"
        return f"rehearsal of {what} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status != self.Status.RUNNING


class ExportJob(TimeStamped):
    """The export bundle of a large version, built by a task (:mod:`modeler.web.exportjobs`)
    and kept in the database (the store every web process and worker shares) until it is
    superseded by a newer build of the same version and target, or older than the retention
    period."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()  # the version's number
    target = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(null=True, blank=True)  # the zip, once done
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="ck_exportjob_status"),
        ]
        indexes = [models.Index(fields=["project", "number", "target"])]

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
