import Foundation
import PackagePlugin

/// Compiles the package's `Config/` and `Templates/` folders into the target as string
/// constants, so `warden` runs on its built-in rule pack, policy and templates without any
/// files beside the binary. The folders stay the one place where those defaults are edited.
@main
struct EmbedDefaults: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in ["Config", "Templates"] {
            let base = root.appending(path: folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker {
                let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
                if isFile && !url.lastPathComponent.hasPrefix(".") { inputs.append(url) }
            }
        }
        inputs.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        var arguments = [output.path, root.path]
        arguments += inputs.map(\.path)
        return [
            .buildCommand(
                displayName: "Embedding Config/ and Templates/ (\(inputs.count) files)",
                executable: try context.tool(named: "EmbedTool").url,
                arguments: arguments,
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
