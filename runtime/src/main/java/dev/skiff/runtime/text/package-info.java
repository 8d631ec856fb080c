/**
 * Text in: texts from a request to the token tensors a text model takes, through a Hugging Face
 * tokenizer ({@code tokenizer.json}), with the limits that keep one request from costing much.
 */
package dev.skiff.runtime.text;
