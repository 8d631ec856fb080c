/** The Skiff operator process: command line, operator wiring, health and metrics endpoints. */
package dev.skiff.operator;
