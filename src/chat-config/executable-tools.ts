// The tool names the server has a handler for (see src/llm/assistant-tools.ts). A stored tool of any
// other name is kept, shown with `executable: false`, and never offered to the model.
export const EXECUTABLE_TOOL_NAMES: readonly string[] = ['search_properties', 'get_property', 'search_faq'];

export function isExecutableTool(name: string): boolean {
  return EXECUTABLE_TOOL_NAMES.includes(name);
}
