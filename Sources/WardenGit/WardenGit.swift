public enum WardenGit {}
