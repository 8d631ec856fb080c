/**
 * Command-line modes of the runtime ({@code serve}, {@code fetch}, {@code route}) and the small
 * layer over Apache Commons CLI that parses them ({@link dev.skiff.runtime.cli.ModeOptions}).
 */
package dev.skiff.runtime.cli;
