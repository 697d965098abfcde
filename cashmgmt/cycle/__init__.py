"""The client management process: assess, design, execute, review, celebrate."""
