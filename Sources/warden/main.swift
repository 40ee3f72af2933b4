import WardenCommandLine

await WardenCLI.main()
