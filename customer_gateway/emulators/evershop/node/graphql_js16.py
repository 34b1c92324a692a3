"""graphql-js 16 (EverShop's `graphql@^16.6`) where graphql-core 3.3 words things differently.

graphql-core ports graphql-js 17, whose variable and argument coercion messages changed. EverShop
forwards those messages to API clients, so operation selection and variable coercion run here
with graphql-js 16's messages (`execution/execute.js`, `execution/values.js`,
`utilities/coerceInputValue.js`, `type/scalars.js`, `type/definition.js`), and argument errors
raised by graphql-core are reworded to v16's `Argument "x" has invalid value <literal>.`
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FloatValueNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    is_input_type,
    print_ast,
    type_from_ast,
)
from graphql.language import Visitor, visit
from graphql.pyutils import Undefined, suggestion_list

from .js import number_to_string

_MAX_INT: Final = 2_147_483_647
_MIN_INT: Final = -2_147_483_648
_OPERATION_ERROR: Final = "Must provide operation name if query contains multiple operations."
_VARIABLES_NOT_OBJECT: Final = (
    "Variables must be provided as an Object where each property is a variable value. "
    "Perhaps look to see if an unparsed JSON string was provided."
)


class Js16Error(Exception):
    """An error graphql-js 16 raises before execution starts (the message is EverShop's)."""


def inspect(value: Any, depth: int = 0) -> str:
    """graphql-js `jsutils/inspect`."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        if depth > 1:
            return "[Array]"
        items = [inspect(item, depth + 1) for item in value[:10]]
        remaining = len(value) - 10
        if remaining == 1:
            items.append("... 1 more item")
        elif remaining > 1:
            items.append(f"... {remaining} more items")
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if depth > 1:
            return "[Object]"
        return (
            "{ "
            + ", ".join(f"{key}: {inspect(item, depth + 1)}" for key, item in value.items())
            + " }"
        )
    return str(value)


def did_you_mean(suggestions: list[str], sub_message: str = "") -> str:
    quoted = [f'"{item}"' for item in suggestions]
    if not quoted:
        return ""
    message = " Did you mean " + (f"{sub_message} " if sub_message else "")
    if len(quoted) == 1:
        return f"{message}{quoted[0]}?"
    if len(quoted) == 2:
        return f"{message}{quoted[0]} or {quoted[1]}?"
    selected = quoted[:5]
    return f"{message}{', '.join(selected[:-1])}, or {selected[-1]}?"


def select_operation(document: DocumentNode) -> OperationDefinitionNode:
    """buildExecutionContext without an operationName (EverShop never passes one)."""
    operation: OperationDefinitionNode | None = None
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation is not None:
                raise Js16Error(_OPERATION_ERROR)
            operation = definition
    if operation is None:
        raise Js16Error("Must provide an operation.")
    return operation


def check_variables(schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Any) -> None:
    """assertValidExecutionArguments + coerceVariableValues: raise the first error, if any."""
    if raw and not isinstance(raw, dict | list):
        raise Js16Error(_VARIABLES_NOT_OBJECT)
    inputs = raw if isinstance(raw, dict) else {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        var_type = type_from_ast(schema, definition.type)
        if var_type is None or not is_input_type(var_type):
            raise Js16Error(
                f'Variable "${name}" expected value of type "{print_ast(definition.type)}" '
                "which cannot be used as an input type."
            )
        assert is_input_type(var_type)
        if name not in inputs:
            if definition.default_value is None and isinstance(var_type, GraphQLNonNull):
                raise Js16Error(
                    f'Variable "${name}" of required type "{var_type}" was not provided.'
                )
            continue
        value = inputs[name]
        if value is None and isinstance(var_type, GraphQLNonNull):
            raise Js16Error(f'Variable "${name}" of non-null type "{var_type}" must not be null.')
        problem = _coerce(value, var_type, [])
        if problem is not None:
            path, invalid, message = problem
            prefix = f'Variable "${name}" got invalid value {inspect(invalid)}'
            if path:
                printed = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path)
                prefix += f' at "{name}{printed}"'
            raise Js16Error(f"{prefix}; {message}")


_Problem = tuple[list[str | int], Any, str]


def _coerce(value: Any, type_: GraphQLInputType, path: list[str | int]) -> _Problem | None:
    """coerceInputValue, stopping at the first reported error."""
    if isinstance(type_, GraphQLNonNull):
        if value is not None:
            return _coerce(value, type_.of_type, path)
        return path, value, f'Expected non-nullable type "{type_}" not to be null.'
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        if isinstance(value, list):
            for index, item in enumerate(value):
                problem = _coerce(item, type_.of_type, [*path, index])
                if problem is not None:
                    return problem
            return None
        return _coerce(value, type_.of_type, path)
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, dict):
            return path, value, f'Expected type "{type_.name}" to be an object.'
        for field_name, field in type_.fields.items():
            if field_name not in value:
                if field.default_value is Undefined and isinstance(field.type, GraphQLNonNull):
                    message = (
                        f'Field "{field_name}" of required type "{field.type}" was not provided.'
                    )
                    return path, value, message
                continue
            problem = _coerce(value[field_name], field.type, [*path, field_name])
            if problem is not None:
                return problem
        for field_name in value:
            if field_name not in type_.fields:
                hint = did_you_mean(suggestion_list(field_name, list(type_.fields)))
                return (
                    path,
                    value,
                    f'Field "{field_name}" is not defined by type "{type_.name}".{hint}',
                )
        return None
    leaf_error = _leaf_error(value, type_)
    return None if leaf_error is None else (path, value, leaf_error)


def _leaf_error(value: Any, type_: GraphQLInputType) -> str | None:
    if isinstance(type_, GraphQLEnumType):
        names = list(type_.values)
        if not isinstance(value, str):
            shown = inspect(value)
            hint = did_you_mean(suggestion_list(shown, names), "the enum value")
            return f'Enum "{type_.name}" cannot represent non-string value: {shown}.{hint}'
        if value not in type_.values:
            hint = did_you_mean(suggestion_list(value, names), "the enum value")
            return f'Value "{value}" does not exist in "{type_.name}" enum.{hint}'
        return None
    assert isinstance(type_, GraphQLScalarType)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    integral = number and math.isfinite(value) and float(value).is_integer()
    if type_.name == "String" and not isinstance(value, str):
        return f"String cannot represent a non string value: {inspect(value)}"
    if type_.name == "ID" and not isinstance(value, str) and not integral:
        return f"ID cannot represent value: {inspect(value)}"
    if type_.name == "Boolean" and not isinstance(value, bool):
        return f"Boolean cannot represent a non boolean value: {inspect(value)}"
    if type_.name == "Float" and not (number and math.isfinite(value)):
        return f"Float cannot represent non numeric value: {inspect(value)}"
    if type_.name == "Int":
        if not integral:
            return f"Int cannot represent non-integer value: {inspect(value)}"
        if not _MIN_INT <= value <= _MAX_INT:
            return f"Int cannot represent non 32-bit signed integer value: {inspect(value)}"
    return None


# -- argument errors ----------------------------------------------------------------------------

_ARGUMENT_INVALID: Final = re.compile(r"^Argument '(\w+)' has invalid value")


def reword(error: GraphQLError, document: DocumentNode) -> str:
    """graphql-core's message for an execution error, in graphql-js 16's words."""
    match = _ARGUMENT_INVALID.match(error.message)
    if match is None:
        if error.message.startswith("Argument '"):
            return re.sub(r"'([^']*)'", r'"\1"', error.message)
        return error.message
    offset = error.nodes[0].loc.start if error.nodes and error.nodes[0].loc else -1
    argument = _argument_at(document, match.group(1), offset)
    if argument is None:
        return error.message
    return f'Argument "{match.group(1)}" has invalid value {print_value(argument.value)}.'


def _argument_at(document: DocumentNode, name: str, offset: int) -> ArgumentNode | None:
    found: list[ArgumentNode] = []

    class _Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            loc = node.value.loc
            if node.name.value == name and loc is not None and loc.start <= offset < loc.end:
                found.append(node)

    visit(document, _Finder())
    return found[0] if found else None


def print_value(node: ValueNode) -> str:
    """graphql-js 16 `print` for value literals (objects print as `{a: 1}`)."""
    if isinstance(node, VariableNode):
        return f"${node.name.value}"
    if isinstance(node, IntValueNode | FloatValueNode | EnumValueNode):
        return node.value
    if isinstance(node, StringValueNode):
        return print_ast(node)
    if isinstance(node, BooleanValueNode):
        return "true" if node.value else "false"
    if isinstance(node, NullValueNode):
        return "null"
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(print_value(item) for item in node.values) + "]"
    if isinstance(node, ObjectValueNode):
        fields = (f"{field.name.value}: {print_value(field.value)}" for field in node.fields)
        return "{" + ", ".join(fields) + "}"
    return print_ast(node)
