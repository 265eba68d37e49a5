// Public surface of the definition layer.
export * from './types.ts';
export { parseDefinition, jsonTypeOf, isPlainObject, type ParseResult } from './parse.ts';
export { migrateDefinition, isLegacyDefinition, LEGACY_TYPES, type MigrationResult } from './migrate.ts';
export { validateDefinition, validateDefinitionJson, type ValidateOptions } from './validate.ts';
export {
  WIDGET_SPECS,
  SPLIT_OPERATORS,
  TYPE_ALIASES,
  isWidgetType,
  propSchema,
  type WidgetSpec,
  type PropSpec,
  type JsonType,
  type JsonSchema,
  type WidgetStatus,
} from './widget-specs.ts';
