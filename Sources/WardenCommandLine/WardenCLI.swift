public enum WardenCLI {
    public static func main() async {}
}
