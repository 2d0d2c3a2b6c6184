"""S&T/ICT Diplomacy Strategy Dashboard: the library behind the Streamlit pages."""
