import Foundation
import Testing

@testable import Support

@Suite struct PrivateFolderTests {
    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "private-folder-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aFolderOfOurOwnOrNoneYetIsFine() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(PrivateFolder.problem(at: base, children: ["credentials"]) == nil)
        #expect(PrivateFolder.problem(at: base + "/not-yet", children: ["credentials"]) == nil)
    }

    @Test func aSymbolicLinkIsRefusedAndItsTargetLeftAlone() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let target = base + "/elsewhere"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        chmod(target, 0o755)
        try FileManager.default.createSymbolicLink(atPath: base + "/state", withDestinationPath: target)
        let problem = try #require(PrivateFolder.problem(at: base + "/state", children: []))
        #expect(problem.contains("symbolic link"))
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o755)
    }

    @Test func aFolderOfAnotherUserIsRefused() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let problem = try #require(PrivateFolder.problem(at: base, owner: geteuid() &+ 1))
        #expect(problem.contains("belongs to user id \(geteuid())"))
    }

    @Test func aCredentialFileThatIsALinkIsRefused() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/credentials", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(
            atPath: base + "/credentials/a.json", withDestinationPath: "/etc/hostname")
        let problem = try #require(PrivateFolder.problem(at: base, children: ["credentials", "registrations"]))
        #expect(problem.contains("a.json is a symbolic link"))
        try FileManager.default.createSymbolicLink(atPath: base + "/registrations", withDestinationPath: "/tmp")
        try FileManager.default.removeItem(atPath: base + "/credentials/a.json")
        #expect(
            PrivateFolder.problem(at: base, children: ["credentials", "registrations"])?.contains(
                "registrations is a symbolic link") == true)
    }
}
