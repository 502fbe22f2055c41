"""DBML's generic syntax tree, as the reference implementation (holistics/dbml ``dbml-parse``)
parses it before giving any element a meaning.

A file is a list of *elements*: ``Keyword [name] [as alias] [[settings]] { body }`` or
``Keyword [name] [[settings]]: value`` (``Ref: a.id > b.id``, ``Note: 'text'``). A body holds
nested elements (``indexes { }``, ``Note: '...'``) and *fields*: the expressions of one line
(``id int [pk]``: a name, a type, a settings list). Expressions are names, literals, member
paths (``s.t.(a, b)``), prefix and infix operators (``> users.id``, ``a.id < b.id``), calls
(``varchar(255)``), array types (``int[]``), groups (``(a, b)``) and settings lists.
Line breaks end a field except inside brackets and parentheses.

What each element means is :mod:`modeler.importers.dbml.interpret`'s business. The parser
is recursive descent over the token list; nesting is bounded (:data:`MAX_DEPTH`), so no input
exhausts the stack, and every step consumes a token or raises, so none loops.
"""

from __future__ import annotations

from collections.abc import Iterator

from modeler.importers.dbml.lexer import DbmlSyntaxError, Token, tokens
from modeler.importers.dbml.nodes import (
    Call,
    Element,
    Expr,
    Field,
    Group,
    Indexed,
    Infix,
    Literal,
    Name,
    Path,
    Prefix,
    Setting,
    Settings,
    label,
)

MAX_DEPTH = 100  # brackets, parentheses and prefix operators inside one another


_INFIX = {"*": 13, "/": 13, "%": 13, "+": 11, "-": 11, "<": 9, ">": 9, "<=": 9, ">=": 9,
          "<>": 9, "==": 7, "!=": 7, "=": 7}
_PREFIX = frozenset({"-", "+", "~", "!", "<", ">", "<>", "<=", ">="})
_PREFIX_POWER = 15
_FIELD_END = frozenset({"}", "]", ")", ",", ":", "{", "eof"})


def describe(token: Token) -> str:
    """A token as an error message shows it; for an ``error`` token (text the lexer could
    not read), that error is raised: it is the reason."""
    if token.kind == "error":
        raise DbmlSyntaxError(token.value, token.line)
    if token.kind == "eof":
        return "the end of the file"
    if token.kind in ("str", "func"):
        return "a string" if token.kind == "str" else "a `backtick expression`"
    text = token.value if len(token.value) <= 30 else token.value[:27] + "..."
    return f'"{text}"' if token.kind == "qid" else repr(text)


class _Parser:
    def __init__(self, chunks: Iterator[list[Token]]) -> None:
        self.chunks = chunks
        self.tokens: list[Token] = []
        self.pos = 0
        self.refill()
        self.depth = 0  # inside brackets or parentheses: line breaks do not end anything
        self.nesting = 0

    # -- tokens ---------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[self.pos + ahead]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind == "error":
            raise DbmlSyntaxError(token.value, token.line)
        if token.kind != "eof":
            self.pos += 1
            if self.pos + 3 >= len(self.tokens):
                self.refill()
        return token

    def refill(self) -> None:
        """Keep at least three tokens ahead (the parser looks two ahead); tokens already
        read are dropped: memory stays small whatever the input's length."""
        ahead = self.tokens[self.pos:]
        while len(ahead) < 4:
            chunk = next(self.chunks, None)
            if chunk is None:  # past the end: the eof again
                ahead += [ahead[-1]] * 4
                break
            ahead += chunk
        self.tokens, self.pos = ahead, 0

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise DbmlSyntaxError(f"expected {what}, found {describe(token)}", token.line)
        return self.take()

    def enter(self, line: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise DbmlSyntaxError(f"brackets, braces or operators nested more than "
                                  f"{MAX_DEPTH} deep", line)

    def ends_line(self, token: Token) -> bool:
        return token.nl and self.depth == 0

    # -- program and elements ---------------------------------------------------------------
    def program(self) -> list[Element]:
        elements = []
        while (token := self.peek()).kind != "eof":
            if token.kind != "id":
                raise DbmlSyntaxError(f"expected an element such as Table, Ref or Enum, found "
                                      f"{describe(token)}", token.line)
            elements.append(self.element(self.take()))
        return elements

    def element(self, keyword: Token) -> Element:
        name = alias = None
        settings = None
        token = self.peek()
        if token.kind not in (":", "{", "[") and not self.ends_line(token):
            name = self.expr()
        token = self.peek()
        if token.kind == "id" and token.value.lower() == "as" and not token.nl:
            self.take()
            alias = self.expr()
        if self.peek().kind == "[":
            settings = self.settings(self.take())
        return self.element_body(keyword, name, alias, settings)

    def element_body(self, keyword: Token, name: Expr | None, alias: Expr | None,
                     settings: Settings | None) -> Element:
        token = self.peek()
        kind = keyword.value.lower()
        if token.kind == ":":
            self.take()
            if self.peek().kind in _FIELD_END:  # the value may be on the next line
                raise DbmlSyntaxError(f"expected a value after '{keyword.value}:'", token.line)
            value = self.field()
            return Element(kind, keyword.value, name, alias, settings, None, value,
                           keyword.line, value.line)
        if token.kind != "{":
            raise DbmlSyntaxError(f"expected '{{' or ':' after {keyword.value}"
                                  f"{' ' + label(name) if name is not None else ''}, found "
                                  f"{describe(token)}", token.line)
        self.take()
        body, end = self.block(keyword, token)
        return Element(kind, keyword.value, name, alias, settings, body, None, keyword.line,
                       end)

    def block(self, keyword: Token, opening: Token) -> tuple[list[Element | Field], int]:
        items: list[Element | Field] = []
        saved, self.depth = self.depth, 0
        self.enter(opening.line)
        while True:
            token = self.peek()
            if token.kind == "}":
                self.take()
                self.depth = saved
                self.nesting -= 1
                return items, token.line
            if token.kind == "eof":
                raise DbmlSyntaxError(f"the '{{' of {keyword.value} (line {opening.line}) is "
                                      "never closed: '}' missing", opening.line)
            nxt = self.peek(1)
            if token.kind == "id" and nxt.kind == ":" and not nxt.nl:
                self.take()
                items.append(self.element_body(token, None, None, None))
                continue
            field = self.field()
            if self.peek().kind in ("{", ":"):
                items.append(self.nested(field))
            else:
                items.append(field)

    def nested(self, field: Field) -> Element:
        """A field followed by ``{`` or ``:``: the header of a nested element."""
        head, rest = field.parts[0], field.parts[1:]
        if isinstance(head, Call) and isinstance(head.callee, Name):  # records (a, b) {
            rest = [Group(head.args, head.line), *rest]
            head = head.callee
        if not isinstance(head, Name) or head.quoted:
            raise DbmlSyntaxError(f"expected an element keyword such as indexes or Note, "
                                  f"found {label(head)}", field.line)
        keyword = Token("id", head.text, head.line, False, False)
        settings = None
        if rest and isinstance(rest[-1], Settings):
            settings = rest[-1]
            rest = rest[:-1]
        name = alias = None
        if len(rest) >= 3 and isinstance(rest[1], Name) and rest[1].text.lower() == "as":
            name, alias, rest = rest[0], rest[2], rest[3:]
        elif rest:
            name, rest = rest[0], rest[1:]
        if rest:
            raise DbmlSyntaxError(f"unexpected {label(rest[0])} in the header of "
                                  f"{head.text}", field.line)
        return self.element_body(keyword, name, alias, settings)

    def field(self) -> Field:
        line = self.tokens[self.pos].line
        parts = [self.comma_expr()]
        while True:
            token = self.tokens[self.pos]
            if token.kind in _FIELD_END or (token.nl and not self.depth):
                return Field(parts, line)
            parts.append(self.comma_expr())

    def comma_expr(self) -> Expr:
        first = self.expr()
        if self.tokens[self.pos].kind != "," or self.depth:
            return first
        items = [first]
        while self.peek().kind == "," and not self.ends_line(self.peek()):
            self.take()
            items.append(self.expr())
        return Group(items, first.line, parenthesized=False)

    # -- expressions -------------------------------------------------------------------------
    def expr(self, min_power: int = 0) -> Expr:
        token = self.take()
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise DbmlSyntaxError(f"brackets, braces or operators nested more than "
                                  f"{MAX_DEPTH} deep", token.line)
        left = self.primary(token)
        chain = 0  # operators, calls and [] applied in turn: the tree's depth
        while True:
            token = self.tokens[self.pos]
            if token.nl and not self.depth:
                break
            chain += 1
            if chain > MAX_DEPTH:
                raise DbmlSyntaxError(f"an expression of more than {MAX_DEPTH} operators",
                                      token.line)
            kind = token.kind
            if kind == "(":
                left = Call(left, self.group(self.take()).items, left.line)
            elif kind == "[" and not token.sp and self.array_size() is not None:
                size = self.array_size() or ""
                for _ in range(3 if size else 2):
                    self.take()
                left = Indexed(left, size, left.line)
            elif kind == "op" and token.value == ".":
                self.take()
                left = self.member(left, self.take())
            elif kind == "op" and _INFIX.get(token.value, -1) > min_power:
                self.take()
                right = self.expr(_INFIX[token.value] + 1)
                left = Infix(token.value, left, right, left.line)
            else:
                break
        self.nesting -= 1
        return left

    def array_size(self) -> str | None:
        """After a ``[`` with no blank before: ``""`` for ``[]``, the number for ``[3]``;
        None when the brackets hold something else (a settings list)."""
        first, second = self.peek(1), self.peek(2)
        if first.kind == "]":
            return ""
        if first.kind == "num" and second.kind == "]":
            return first.value
        return None

    def primary(self, token: Token) -> Expr:
        kind = token.kind
        if kind == "id":
            return Name(token.value, False, token.line)
        if kind == "qid":
            return Name(token.value, True, token.line)
        if kind in ("str", "num", "color", "func"):
            return Literal(kind, token.value, token.line, token.triple)
        if kind == "(":
            return self.group(token)
        if kind == "[":
            return self.settings(token)
        if kind == "op" and token.value in _PREFIX:
            return Prefix(token.value, self.expr(_PREFIX_POWER), token.line)
        raise DbmlSyntaxError(f"unexpected {describe(token)}", token.line)

    def member(self, left: Expr, token: Token) -> Expr:
        if token.kind in ("id", "qid"):
            right: Expr = Name(token.value, token.kind == "qid", token.line)
        elif token.kind == "(":
            right = self.group(token)
        elif token.kind == "op" and token.value == "*":
            right = Name("*", False, token.line)
        else:
            raise DbmlSyntaxError(f"expected a name after '.', found {describe(token)}",
                                  token.line)
        if isinstance(left, Path):
            left.parts.append(right)
            return left
        return Path([left, right], left.line)

    def group(self, opening: Token) -> Group:
        self.depth += 1
        self.enter(opening.line)
        items: list[Expr] = []
        while self.peek().kind != ")":
            if items:
                self.expect(",", "',' or ')'")
            if self.peek().kind == "eof":
                raise DbmlSyntaxError(f"the '(' of line {opening.line} is never closed",
                                      opening.line)
            items.append(self.expr())
        self.take()
        self.depth -= 1
        self.nesting -= 1
        return Group(items, opening.line)

    def settings(self, opening: Token) -> Settings:
        self.depth += 1
        self.enter(opening.line)
        items: list[Setting] = []
        while self.peek().kind != "]":
            if items:
                self.expect(",", f"',' or the ']' of the settings list of line {opening.line}")
            if self.peek().kind == "]":  # a trailing comma
                break
            items.append(self.setting(opening))
        self.take()
        self.depth -= 1
        self.nesting -= 1
        return Settings(items, opening.line)

    def setting(self, opening: Token) -> Setting:
        first = self.peek()
        if first.kind == "eof":
            raise DbmlSyntaxError(f"the '[' of line {opening.line} is never closed",
                                  opening.line)
        if first.kind not in ("id", "qid"):
            raise DbmlSyntaxError(f"expected a setting name, found {describe(first)}",
                                  first.line)
        words = [self.take().value]
        while self.peek().kind in ("id", "qid"):
            words.append(self.take().value)
        key = " ".join(words).lower()
        if self.peek().kind != ":":
            return Setting(key, None, first.line)
        self.take()
        parts = [self.expr()]
        while (token := self.peek()).kind not in (",", "]", "eof"):
            if isinstance(parts[0], Literal) and parts[0].kind == "str":  # note: 'user's'
                raise DbmlSyntaxError(f"unexpected {describe(token)} after the string of "
                                      f"setting '{key}' (a quote inside a 'string' is "
                                      "written \\')", token.line)
            parts.append(self.expr())
        if len(parts) == 1:
            return Setting(key, parts[0], first.line)
        if all(isinstance(p, Name) and not p.quoted for p in parts):  # delete: set null
            words = [p.text for p in parts if isinstance(p, Name)]
            return Setting(key, Name(" ".join(words), False, first.line), first.line)
        raise DbmlSyntaxError(f"unexpected {label(parts[1])} in the value of setting "
                              f"'{key}'", parts[1].line)


def parse(text: str) -> list[Element]:
    """The elements of a DBML text; raises :class:`DbmlSyntaxError` with the line."""
    return _Parser(tokens(text)).program()
