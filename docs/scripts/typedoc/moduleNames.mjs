// A TypeDoc plugin: names each module by the specifier users import it by ('purediff/nn'),
// not by its folder ('src/nn'), so the API reference speaks the package's language.
import { Converter, ReflectionKind } from 'typedoc'

const rename = (name) => (name === 'src' ? 'purediff' : name === 'laws' ? 'purediff/laws' : name.replace(/^src\//, 'purediff/'))

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const m of context.project.getReflectionsByKind(ReflectionKind.Module)) m.name = rename(m.name)
  })
}
