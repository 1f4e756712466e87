"""The arithmetic of journeys (pure Python, no Django): flows by stage and their k-suppression."""
