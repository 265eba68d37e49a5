/**
 * What a render hands its filters. The filters are registered once on the shared Liquid instance, so the
 * render's own state (its clock, zone, seeds and print forms) travels in a register of the render's context,
 * which the filters read through `this` (liquidjs' filter receiver, typed here).
 */
import type { Context, FilteredValueToken, Liquid } from 'liquidjs';
import type { RenderOptions } from '../liquid.ts';
import type { SlashDateOrder } from './date-text.ts';
import { STATE_REGISTER, type ObjectFormat } from './output.ts';

/** liquidjs does not export the type of a filter's token (name, argument tokens, source text). */
export type FilterToken = FilteredValueToken['filters'][number];

/** The render's state, kept in the context's STATE_REGISTER by renderTemplate. */
export interface RenderState {
  now: Date;
  timezone: string;
  /** Whose seed, step and render seed `sample`: the same ones pick the same items, so a replay renders what the run did. */
  options: RenderOptions;
  /** `sample` calls so far in this render (each draws from its own stream of the seed). */
  samples: number;
  /** How an object prints, also where a string filter is given one. */
  objectFormat: ObjectFormat;
  /** How a slashed date with a year reads. */
  slashDates: SlashDateOrder;
}

/** `this` of a liquidjs filter. */
export interface FilterThis {
  context: Context;
  liquid: Liquid;
  /** The filter as written (name, argument tokens); absent when a filter is called directly. */
  token?: FilterToken;
}

export type AnyFilter = (this: FilterThis, ...args: unknown[]) => unknown;

/** The state of the render a filter runs in; undefined outside renderTemplate. */
export function stateOf(self: FilterThis): RenderState | undefined {
  return self.context.getRegister<RenderState | undefined>(STATE_REGISTER, undefined);
}
